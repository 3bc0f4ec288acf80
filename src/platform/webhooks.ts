import type { Logger } from 'pino';
import { createWebhookDeliveryHandler } from '../application/delivery/webhook-delivery-handler.js';
import { WebhookDispatcher } from '../application/delivery/webhook-dispatcher.js';
import type { JobHandler } from '../application/job-handler.js';
import { UndiciWebhookSender } from '../adapters/delivery/undici-webhook-sender.js';
import type { ChangeFeed } from '../core/outbox.js';
import { WEBHOOK_MAX_TRIES } from '../core/webhooks/retry-schedule.js';
import type { WebhookMetrics } from '../core/webhooks/webhook-metrics.js';
import type { WebhookRepository } from '../core/webhooks/webhook-repository.js';
import type { WebhookSender } from '../core/webhooks/webhook-sender.js';
import type { AppConfig } from './config.js';

export function createWebhookSender(config: AppConfig): WebhookSender {
  return new UndiciWebhookSender({
    userAgent: `ingestion-adapter/0.1 webhooks (+${config.fetch.contact})`,
    connectTimeoutMs: config.webhooks.connectTimeoutMs,
    timeoutMs: config.webhooks.timeoutMs,
    allowPrivateTargets: config.webhooks.allowPrivateTargets,
  });
}

/** The `webhook.deliver` handler of a worker; the API does not offer the pipeline for enqueueing. */
export function createWebhookHandler(config: AppConfig, webhooks: WebhookRepository, sender: WebhookSender, metrics?: WebhookMetrics): JobHandler {
  return createWebhookDeliveryHandler({
    webhooks,
    sender,
    disableAfterFailingMs: config.webhooks.disableAfterFailingMs,
    tryTimeoutMs: config.webhooks.timeoutMs,
    ...(metrics === undefined ? {} : { metrics }),
  });
}

/** A worker's dispatcher (unless WEBHOOK_DISPATCHER_ENABLED=false), reading `feed`. */
export function startWebhookDispatcher(
  config: AppConfig,
  webhooks: WebhookRepository,
  feed: ChangeFeed,
  logger: Logger,
): { stop: () => Promise<void> } {
  if (!config.webhooks.dispatcherEnabled) return { stop: () => Promise.resolve() };
  const dispatcher = new WebhookDispatcher({ feed, webhooks, maxTries: WEBHOOK_MAX_TRIES, pollIntervalMs: config.webhooks.dispatchPollIntervalMs, logger });
  dispatcher.start();
  return { stop: () => dispatcher.stop() };
}
