import type { EnqueueJobInput } from '../job-repository.js';

/** The queue pipeline whose jobs send webhook deliveries. */
export const WEBHOOK_DELIVERY_PIPELINE = 'webhook.deliver';

/**
 * The job that sends one delivery. Its idempotency key names the (endpoint, event) pair, so a
 * dispatch replayed after a crash never makes a second job; a recovery names itself in a suffix.
 */
export function deliveryJob(input: { endpointId: string; eventId: string; deliveryId: string; maxTries: number; recovery?: string }): EnqueueJobInput {
  const key = `webhook:${input.endpointId}:${input.eventId}`;
  return {
    pipeline: WEBHOOK_DELIVERY_PIPELINE,
    scope: { endpoint_id: input.endpointId, event_id: input.eventId },
    params: { delivery_id: input.deliveryId },
    maxAttempts: input.maxTries,
    idempotencyKey: input.recovery === undefined ? key : `${key}:${input.recovery}`,
  };
}
