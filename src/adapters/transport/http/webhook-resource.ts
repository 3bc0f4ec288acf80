import { z } from 'zod';
import type { TestSendResult } from '../../../application/delivery/webhook-endpoint-service.js';
import { DELIVERY_OUTCOMES } from '../../../core/webhooks/delivery-outcome.js';
import type { WebhookDelivery, WebhookDeliveryAttempt, WebhookEndpoint, WebhookRecovery } from '../../../core/webhooks/webhook-repository.js';

const instant = z.iso.datetime({ offset: true });
const iso = (date: Date | null) => (date === null ? null : date.toISOString());

export const webhookSchema = z
  .object({
    id: z.string().describe('Decimal endpoint id'),
    url: z.string(),
    description: z.string(),
    pipelines: z.array(z.string()).nullable().describe('Pipelines whose events it receives; null: every pipeline'),
    enabled: z.boolean(),
    disabled_reason: z.string().nullable().describe('Why it was disabled (by an operator, 410 Gone, or failing too long)'),
    disabled_at: instant.nullable(),
    ordered: z.boolean().describe("true: a scope's next event waits until its previous one succeeded or was given up"),
    previous_secret_valid_until: instant.nullable().describe('During a rotation: until when the previous secret signs too'),
    failing_since: instant.nullable().describe('Since when every try failed; null after a success'),
    created_at: instant,
    updated_at: instant,
  })
  .meta({ id: 'Webhook' });

export const webhookResponseSchema = z.object({ webhook: webhookSchema }).meta({ id: 'WebhookResponse' });

export const webhookWithSecretSchema = z
  .object({
    webhook: webhookSchema,
    secret: z.string().describe('The signing secret (whsec_ followed by base64). Shown this once: store it now'),
  })
  .meta({ id: 'WebhookWithSecret' });

export const deliverySchema = z
  .object({
    id: z.string(),
    webhook_id: z.string(),
    event_id: z.string().describe('The webhook-id header of every try'),
    event_type: z.string(),
    pipeline: z.string(),
    scope_key: z.string(),
    status: z.enum(['waiting', 'pending', 'succeeded', 'failed']).describe('waiting: held behind an earlier event of its scope (ordered endpoints)'),
    job_id: z.string().nullable().describe('The job sending it (the latest, after a resend)'),
    attempt_count: z.int(),
    last_error: z.string().nullable(),
    created_at: instant,
    updated_at: instant,
    finished_at: instant.nullable(),
  })
  .meta({ id: 'WebhookDelivery' });

export const deliveryAttemptSchema = z
  .object({
    id: z.string(),
    job_id: z.string(),
    job_attempt: z.int(),
    started_at: instant,
    latency_ms: z.int(),
    outcome: z.enum(['succeeded', 'failed']),
    status_code: z.int().nullable(),
    response_excerpt: z.string().nullable().describe('The first 4 KiB of the answer'),
    error: z.string().nullable(),
  })
  .meta({ id: 'WebhookDeliveryAttempt' });

export const testSendSchema = z
  .object({
    outcome: z.enum(DELIVERY_OUTCOMES),
    status_code: z.int().nullable(),
    latency_ms: z.int(),
    response_excerpt: z.string().nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: 'WebhookTestSend' });

export function webhookResource(e: WebhookEndpoint): z.infer<typeof webhookSchema> {
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    pipelines: e.pipelines,
    enabled: e.enabled,
    disabled_reason: e.disabledReason,
    disabled_at: iso(e.disabledAt),
    ordered: e.ordered,
    previous_secret_valid_until: e.previousSecret === null ? null : iso(e.previousSecretExpiresAt),
    failing_since: iso(e.failingSince),
    created_at: e.createdAt.toISOString(),
    updated_at: e.updatedAt.toISOString(),
  };
}

export function deliveryResource(d: WebhookDelivery): z.infer<typeof deliverySchema> {
  return {
    id: d.id,
    webhook_id: d.endpointId,
    event_id: d.eventId,
    event_type: d.eventType,
    pipeline: d.pipeline,
    scope_key: d.scopeKey,
    status: d.status,
    job_id: d.jobId,
    attempt_count: d.attemptCount,
    last_error: d.lastError,
    created_at: d.createdAt.toISOString(),
    updated_at: d.updatedAt.toISOString(),
    finished_at: iso(d.finishedAt),
  };
}

export function deliveryAttemptResource(a: WebhookDeliveryAttempt): z.infer<typeof deliveryAttemptSchema> {
  return {
    id: a.id,
    job_id: a.jobId,
    job_attempt: a.jobAttempt,
    started_at: a.startedAt.toISOString(),
    latency_ms: a.latencyMs,
    outcome: a.outcome,
    status_code: a.statusCode,
    response_excerpt: a.responseExcerpt,
    error: a.error,
  };
}

export function testSendResource(r: TestSendResult): z.infer<typeof testSendSchema> {
  return { outcome: r.outcome, status_code: r.statusCode, latency_ms: r.latencyMs, response_excerpt: r.responseExcerpt, error: r.error };
}

export const recoveryRecordSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['resend', 'redeliver_failed']),
    event_id: z.string().nullable().describe('For a resend: the event sent again'),
    since: instant.nullable().describe('For a redelivery: failures at or after this were sent again'),
    requested_by: z.string(),
    request_id: z.string().nullable().describe('The X-Request-Id of the request that asked'),
    delivery_count: z.int(),
    requested_at: instant,
  })
  .meta({ id: 'WebhookRecoveryRecord' });

export function recoveryRecordResource(r: WebhookRecovery): z.infer<typeof recoveryRecordSchema> {
  return {
    id: r.id,
    kind: r.kind,
    event_id: r.eventId,
    since: iso(r.since),
    requested_by: r.requestedBy,
    request_id: r.requestId,
    delivery_count: r.deliveryCount,
    requested_at: r.requestedAt.toISOString(),
  };
}
