import type { DeliveryResponse } from './delivery-outcome.js';

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Aborts the try (the job's lease was lost, or the worker is stopping). */
  signal: AbortSignal;
}

/** Sends one try of a delivery and reports what came back; never throws for what the receiver did. */
export interface WebhookSender {
  send(request: WebhookRequest): Promise<DeliveryResponse>;
  close(): Promise<void>;
}
