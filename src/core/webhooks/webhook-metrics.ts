import type { DeliveryOutcome } from './delivery-outcome.js';

/** What the service counts about webhook deliveries; the metrics adapter exports it. */
export interface WebhookMetrics {
  /** One try of a delivery ended so; `seconds` from the request sent to the answer read or the failure. */
  deliveryTried(outcome: DeliveryOutcome, seconds: number): void;
}

export const NO_WEBHOOK_METRICS: WebhookMetrics = { deliveryTried: () => undefined };
