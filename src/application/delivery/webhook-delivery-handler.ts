import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { JobError } from '../../core/job-error.js';
import { storableText } from '../../core/storable-values.js';
import { WEBHOOK_DELIVERY_PIPELINE } from '../../core/webhooks/delivery-job.js';
import { judgeDelivery } from '../../core/webhooks/delivery-outcome.js';
import { NO_WEBHOOK_METRICS, type WebhookMetrics } from '../../core/webhooks/webhook-metrics.js';
import { WEBHOOK_RETRY_SCHEDULE_MS, webhookRetryDelayMs } from '../../core/webhooks/retry-schedule.js';
import type { WebhookSender } from '../../core/webhooks/webhook-sender.js';
import { signWebhook } from '../../core/webhooks/webhook-signature.js';
import type { WebhookEndpoint, WebhookRepository } from '../../core/webhooks/webhook-repository.js';
import type { JobHandler } from '../job-handler.js';

export interface WebhookDeliveryDeps {
  webhooks: WebhookRepository;
  sender: WebhookSender;
  /** An endpoint failing without a success for this long is disabled. */
  disableAfterFailingMs: number;
  /** The sender's whole-try timeout: the job's run time bound is a little above it. */
  tryTimeoutMs: number;
  metrics?: WebhookMetrics;
  /** The waits between tries; the default spans about three days (tests shorten it). */
  retrySchedule?: readonly number[];
  now?: () => Date;
  random?: () => number;
}

const scopeSchema = z.strictObject({ endpoint_id: z.string().min(1).max(40), event_id: z.string().min(1).max(200) });
const paramsSchema = z.strictObject({ delivery_id: z.string().min(1).max(40) });

/** The secrets that sign now: the current one, and the previous one until it expires. */
export function signingSecrets(endpoint: WebhookEndpoint, now: Date): string[] {
  const previous = endpoint.previousSecret;
  const expires = endpoint.previousSecretExpiresAt;
  return previous !== null && expires !== null && expires.getTime() > now.getTime() ? [endpoint.secret, previous] : [endpoint.secret];
}

/**
 * Sends one delivery per try, signed per the Standard Webhooks specification with the event id as
 * webhook-id (the same on every try, so a receiver can drop a repeat). Each try is recorded with its
 * status, latency and the answer's first bytes; a failure is thrown as a JobError whose retryAfterMs
 * is the webhook retry schedule (about three days in all, jittered, never before the receiver's
 * Retry-After), so the queue's own retries, leases and audit carry the delivery.
 */
export function createWebhookDeliveryHandler(deps: WebhookDeliveryDeps): JobHandler {
  const now = deps.now ?? (() => new Date());
  const random = deps.random ?? Math.random;
  const metrics = deps.metrics ?? NO_WEBHOOK_METRICS;
  return {
    pipeline: WEBHOOK_DELIVERY_PIPELINE,
    scopeSchema,
    paramsSchema,
    timeoutMs: deps.tryTimeoutMs + 30_000,
    async run(context) {
      const { job } = context;
      const { delivery_id: deliveryId } = paramsSchema.parse(job.params);
      const found = await deps.webhooks.deliveryToSend(deliveryId);
      if (found === null) throw new JobError('validation', 'WEBHOOK_DELIVERY_NOT_FOUND', `delivery ${deliveryId} does not exist`);
      const { delivery, endpoint } = found;
      // A job run again after its success was recorded (its settle was lost): sent already.
      if (delivery.status === 'succeeded') return undefined;
      if (endpoint.deleted || !endpoint.enabled) {
        const reason = `not sent: the endpoint is ${endpoint.deleted ? 'deleted' : `disabled (${endpoint.disabledReason ?? 'no reason recorded'})`}`;
        await deps.webhooks.abandonDelivery(delivery.id, reason, job.maxAttempts);
        throw new JobError('validation', 'WEBHOOK_ENDPOINT_DISABLED', reason, { retryable: false });
      }

      const at = now();
      const headers = signWebhook({ id: delivery.eventId, timestampSec: at.getTime() / 1000, body: delivery.payload, secrets: signingSecrets(endpoint, at) });
      const started = performance.now();
      const response = await deps.sender.send({ url: endpoint.url, headers: { ...headers }, body: delivery.payload, signal: context.signal });
      const latencyMs = Math.max(0, Math.round(performance.now() - started));
      // Cancelled, stopping, lease lost or past the run time bound: the queue settles the job from
      // the abort's reason. Recording this cut-short try would count it as a failure and, on the
      // last try, fail the delivery and release the next one of its ordered scope.
      if (context.signal.aborted) throw abortError(context.signal);
      const verdict = judgeDelivery(response);
      const final = verdict.succeeded || !verdict.retryable || job.spentAttempts >= job.maxAttempts;
      await deps.webhooks.recordTry({
        deliveryId: delivery.id,
        jobId: job.id,
        jobAttempt: job.attemptCount,
        latencyMs,
        succeeded: verdict.succeeded,
        statusCode: response.kind === 'answered' ? response.status : null,
        responseExcerpt: response.kind === 'answered' ? storableText(response.excerpt) : null,
        error: verdict.error === undefined ? null : storableText(verdict.error).slice(0, 2000),
        final,
        ...(verdict.disableEndpoint === undefined ? {} : { disableReason: verdict.disableEndpoint }),
        disableAfterMs: deps.disableAfterFailingMs,
        maxTries: job.maxAttempts,
      });
      metrics.deliveryTried(verdict.outcome, latencyMs / 1000);
      if (verdict.succeeded) return undefined;

      const category = verdict.outcome === 'timeout' ? 'timeout' : verdict.outcome === 'network_error' ? 'network' : verdict.retryable ? 'http_status' : 'validation';
      throw new JobError(category, `WEBHOOK_${verdict.outcome.toUpperCase()}`, verdict.error ?? 'the delivery failed', {
        retryable: verdict.retryable,
        retryAfterMs: webhookRetryDelayMs(job.spentAttempts, random, verdict.retryAfterMs, deps.retrySchedule ?? WEBHOOK_RETRY_SCHEDULE_MS),
      });
    },
  };
}

function abortError(signal: AbortSignal): JobError {
  const reason: unknown = signal.reason;
  return reason instanceof JobError ? reason : new JobError('cancelled', 'WEBHOOK_TRY_ABORTED', 'the try was aborted before its outcome was recorded');
}
