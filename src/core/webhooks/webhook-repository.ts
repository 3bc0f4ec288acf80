/** A registered receiver of webhooks. */
export interface WebhookEndpoint {
  id: string;
  url: string;
  description: string;
  /** Pipelines whose events it receives; null: every pipeline. */
  pipelines: string[] | null;
  enabled: boolean;
  disabledReason: string | null;
  disabledAt: Date | null;
  /** A scope's next event waits until its previous one succeeded or was given up. */
  ordered: boolean;
  /** The signing secret (whsec_…). Never shown after creation or rotation. */
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
  failingSince: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface WebhookEndpointSettings {
  url: string;
  description: string;
  pipelines: string[] | null;
  enabled: boolean;
  ordered: boolean;
}

export type DeliveryStatus = 'waiting' | 'pending' | 'succeeded' | 'failed';

export interface WebhookDelivery {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  pipeline: string;
  scopeKey: string;
  payload: string;
  status: DeliveryStatus;
  jobId: string | null;
  attemptCount: number;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

export interface WebhookDeliveryAttempt {
  id: string;
  deliveryId: string;
  jobId: string;
  jobAttempt: number;
  startedAt: Date;
  latencyMs: number;
  outcome: 'succeeded' | 'failed';
  statusCode: number | null;
  responseExcerpt: string | null;
  error: string | null;
}

/** One outbox event as the dispatcher hands it over. */
export interface DispatchEvent {
  id: string;
  type: string;
  pipeline: string;
  scopeKey: string;
  payload: string;
}

export interface DispatchRequest {
  /** The reader's name: one cursor row per reader. */
  reader: string;
  /** The cursor this page was read after (null: from the start); the write is refused if it moved. */
  readAfter: string | null;
  nextCursor: string;
  events: DispatchEvent[];
  /** Tries each delivery job is given. */
  maxTries: number;
}

/** How a try ended, as the handler records it. */
export interface DeliveryTry {
  deliveryId: string;
  jobId: string;
  jobAttempt: number;
  latencyMs: number;
  succeeded: boolean;
  statusCode: number | null;
  responseExcerpt: string | null;
  error: string | null;
  /** No try follows this one (success, given up, or not retryable). */
  final: boolean;
  /** Disable the endpoint at once, for this reason (410 Gone). */
  disableReason?: string;
  /** Disable it when it has been failing without a success for this long. */
  disableAfterMs: number;
  maxTries: number;
}

export interface RecoveryRequest {
  endpointId: string;
  requestedBy: string;
  requestId: string | null;
  maxTries: number;
}

export type RecoveryResult =
  | { ok: true; recoveryId: string; deliveries: WebhookDelivery[] }
  | { ok: false; reason: 'endpoint_not_found' | 'endpoint_disabled' | 'delivery_not_found' | 'delivery_in_progress' };

/** Who asked for a resend or a redelivery, and when. */
export interface WebhookRecovery {
  id: string;
  kind: 'resend' | 'redeliver_failed';
  eventId: string | null;
  since: Date | null;
  requestedBy: string;
  requestId: string | null;
  deliveryCount: number;
  requestedAt: Date;
}

export interface EndpointPage {
  endpoints: WebhookEndpoint[];
  nextCursor: string | null;
}

export interface DeliveryPage {
  deliveries: WebhookDelivery[];
  nextCursor: string | null;
}

/** Webhook endpoints, their deliveries and the dispatcher's cursor, on either database. */
export interface WebhookRepository {
  createEndpoint(settings: WebhookEndpointSettings, secret: string): Promise<WebhookEndpoint>;
  getEndpoint(id: string): Promise<WebhookEndpoint | null>;
  listEndpoints(request: { limit: number; cursor?: string }): Promise<EndpointPage>;
  /** Enabling an endpoint clears why it was disabled and its failing streak. */
  updateEndpoint(id: string, settings: WebhookEndpointSettings): Promise<WebhookEndpoint | null>;
  /** Soft delete: its deliveries stay as history; pending ones fail when their job runs. */
  deleteEndpoint(id: string): Promise<boolean>;
  /** The new secret signs from now; the old one signs too for `previousValidMs` more. */
  rotateSecret(id: string, secret: string, previousValidMs: number): Promise<WebhookEndpoint | null>;

  readDispatchCursor(reader: string): Promise<string | null>;
  /**
   * One delivery and its job per (live endpoint wanting it, event), and the cursor moved to
   * `nextCursor`, in one transaction; `moved` when another dispatcher got there first.
   */
  dispatch(request: DispatchRequest): Promise<{ ok: true; deliveries: number } | { ok: false; reason: 'moved' }>;

  /** A delivery and its endpoint (deleted ones included), for the job sending it. */
  deliveryToSend(deliveryId: string): Promise<{ delivery: WebhookDelivery; endpoint: WebhookEndpoint & { deleted: boolean } } | null>;
  /** Records a try; on the last one of an ordered scope, releases the scope's next waiting delivery. */
  recordTry(attempt: DeliveryTry): Promise<{ endpointDisabled: boolean }>;
  /** Ends a delivery that is not to be sent (its endpoint was disabled or deleted). */
  abandonDelivery(deliveryId: string, reason: string, maxTries: number): Promise<void>;

  listDeliveries(endpointId: string, request: { limit: number; cursor?: string; status?: DeliveryStatus }): Promise<DeliveryPage>;
  getDelivery(endpointId: string, deliveryId: string): Promise<{ delivery: WebhookDelivery; attempts: WebhookDeliveryAttempt[] } | null>;

  /** Sends one event to the endpoint again, as a new job with the same webhook-id. */
  resendEvent(request: RecoveryRequest & { eventId: string }): Promise<RecoveryResult>;
  /** Every delivery of the endpoint that ended failed at or after `since`, sent again. */
  redeliverFailed(request: RecoveryRequest & { since: Date }): Promise<RecoveryResult>;
  /** The endpoint's recoveries, the latest first. */
  listRecoveries(endpointId: string, limit: number): Promise<WebhookRecovery[]>;
}
