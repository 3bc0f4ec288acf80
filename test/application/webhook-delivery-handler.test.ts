import { describe, expect, it } from 'vitest';
import { createWebhookDeliveryHandler } from '../../src/application/delivery/webhook-delivery-handler.js';
import type { JobContext } from '../../src/application/job-handler.js';
import { JobError } from '../../src/core/job-error.js';
import type { Job } from '../../src/core/job.js';
import type { DeliveryTry, WebhookDelivery, WebhookEndpoint, WebhookRepository } from '../../src/core/webhooks/webhook-repository.js';
import type { WebhookSender } from '../../src/core/webhooks/webhook-sender.js';
import { formatSecret } from '../../src/core/webhooks/webhook-secret.js';

const at = new Date('2026-01-01T00:00:00Z');
const delivery: WebhookDelivery = {
  id: '7',
  endpointId: '3',
  eventId: 'evt_1',
  eventType: 'publication.created',
  pipeline: 'p',
  scopeKey: 'scope-a',
  payload: '{"n":1}',
  status: 'pending',
  jobId: '11',
  attemptCount: 0,
  lastError: null,
  createdAt: at,
  updatedAt: at,
  finishedAt: null,
};
// The handler reads only these fields of the endpoint; the rest of the record does not matter here.
const endpoint = {
  id: '3',
  url: 'https://receiver.example/hook',
  enabled: true,
  deleted: false,
  disabledReason: null,
  secret: formatSecret(Buffer.alloc(32, 1)),
  previousSecret: null,
  previousSecretExpiresAt: null,
} as unknown as WebhookEndpoint & { deleted: boolean };

describe('webhook delivery handler', () => {
  it('records no try when the run was aborted (cancelled or stopping), so the delivery is not failed nor its scope released', async () => {
    const recorded: DeliveryTry[] = [];
    // Only the two calls a try makes are used.
    const webhooks = {
      deliveryToSend: () => Promise.resolve({ delivery, endpoint }),
      recordTry: (attempt: DeliveryTry) => {
        recorded.push(attempt);
        return Promise.resolve({ endpointDisabled: false });
      },
    } as unknown as WebhookRepository;
    const controller = new AbortController();
    const cancelled = new JobError('cancelled', 'CANCEL_REQUESTED', 'an operator cancelled the job');
    // A sender whose request is cut by the abort reports it as a network failure, as undici's does.
    const sender: WebhookSender = {
      send: () => {
        controller.abort(cancelled);
        return Promise.resolve({ kind: 'no_answer', reason: 'network', message: 'aborted' });
      },
      close: () => Promise.resolve(),
    };
    const handler = createWebhookDeliveryHandler({ webhooks, sender, disableAfterFailingMs: 3_600_000, tryTimeoutMs: 10_000 });
    // The handler reads only these fields of the job.
    const job = { id: '11', params: { delivery_id: '7' }, attemptCount: 1, spentAttempts: 1, maxAttempts: 5 } as unknown as Job;
    const context = { job, signal: controller.signal } as unknown as JobContext;

    await expect(handler.run(context)).rejects.toBe(cancelled);
    expect(recorded).toEqual([]);
  });
});
