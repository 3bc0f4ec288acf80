import type { OutboxEvent } from '../outbox.js';

/**
 * The JSON body of an event's deliveries, in the envelope the Standard Webhooks specification
 * suggests (`type`, `timestamp`, `data`). Built once when the event is dispatched and sent byte for
 * byte on every try, so retries of one webhook-id always carry the same content.
 */
export function webhookPayload(event: OutboxEvent): string {
  return JSON.stringify({
    type: event.type,
    timestamp: event.occurredAt.toISOString(),
    data: {
      event_id: event.id,
      pipeline: event.pipeline,
      scope_key: event.scopeKey,
      scope: event.scope,
      publication_id: event.publicationId,
      version: event.version,
      envelope_hash: event.envelopeHash,
      supersedes: event.supersedes,
    },
  });
}

/** The body of a test send: never stored, never part of the feed. */
export function testPayload(endpointId: string, at: Date): string {
  return JSON.stringify({ type: 'webhook.test', timestamp: at.toISOString(), data: { endpoint_id: endpointId } });
}

/** Whether an endpoint with this pipelines filter receives events of `pipeline` (null: all). */
export function endpointWants(pipelines: readonly string[] | null, pipeline: string): boolean {
  return pipelines === null || pipelines.includes(pipeline);
}
