import { sql } from 'drizzle-orm';
import type {
  DeliveryPage,
  DeliveryStatus,
  DeliveryTry,
  DispatchRequest,
  EndpointPage,
  RecoveryRequest,
  RecoveryResult,
  WebhookDelivery,
  WebhookDeliveryAttempt,
  WebhookEndpoint,
  WebhookEndpointSettings,
  WebhookRecovery,
  WebhookRepository,
} from '../../../core/webhooks/webhook-repository.js';
import { WEBHOOK_MAX_TRIES } from '../../../core/webhooks/retry-schedule.js';
import { isJobId } from './job-cursor.js';
import { nullableString, type Row } from './job-rows.js';
import { abandonDelivery } from './queries/webhooks/abandon-delivery.js';
import { listDeliveries, readDelivery, readDeliveryAttempts } from './queries/webhooks/delivery-reads.js';
import { dispatchEvents } from './queries/webhooks/dispatch-events.js';
import { listEndpoints, readEndpoint } from './queries/webhooks/endpoint-reads.js';
import { insertEndpoint, markEndpointDeleted, rewriteEndpoint, rotateEndpointSecret } from './queries/webhooks/endpoint-writes.js';
import { recordDeliveryTry } from './queries/webhooks/record-delivery-try.js';
import { recoverDeliveries } from './queries/webhooks/recover-deliveries.js';
import { listRecoveries } from './queries/webhooks/recovery-reads.js';
import type { SqlDatabase, SqlSession } from './sql-database.js';
import type { SqlDialect } from './sql-dialect.js';
import { liveEndpoint } from './webhook-rows.js';

/** Webhook endpoints, deliveries and the dispatcher's cursor on both dialects; `announceJobs` wakes workers. */
export class SqlWebhookRepository implements WebhookRepository {
  constructor(
    private readonly db: SqlDatabase,
    private readonly d: SqlDialect,
    private readonly announceJobs: (session: SqlSession) => Promise<void>,
  ) {}

  createEndpoint(settings: WebhookEndpointSettings, secret: string): Promise<WebhookEndpoint> {
    return this.db.transaction((s) => insertEndpoint(s, this.d, settings, secret));
  }

  async getEndpoint(id: string): Promise<WebhookEndpoint | null> {
    if (!isJobId(id)) return null;
    const endpoint = await this.db.transaction((s) => readEndpoint(s, this.d, id));
    return endpoint === null || endpoint.deleted ? null : liveEndpoint(endpoint);
  }

  listEndpoints(request: { limit: number; cursor?: string }): Promise<EndpointPage> {
    return this.db.transaction((s) => listEndpoints(s, this.d, request));
  }

  updateEndpoint(id: string, settings: WebhookEndpointSettings): Promise<WebhookEndpoint | null> {
    if (!isJobId(id)) return Promise.resolve(null);
    return this.db.transaction(async (s) => {
      // Deliveries released by turning ordering off get the tries the dispatcher gives every delivery.
      const { endpoint, released } = await rewriteEndpoint(s, this.d, id, settings, WEBHOOK_MAX_TRIES);
      if (released > 0) await this.announceJobs(s);
      return endpoint;
    });
  }

  deleteEndpoint(id: string): Promise<boolean> {
    if (!isJobId(id)) return Promise.resolve(false);
    return this.db.transaction((s) => markEndpointDeleted(s, this.d, id));
  }

  rotateSecret(id: string, secret: string, previousValidMs: number): Promise<WebhookEndpoint | null> {
    if (!isJobId(id)) return Promise.resolve(null);
    return this.db.transaction((s) => rotateEndpointSecret(s, this.d, id, secret, previousValidMs));
  }

  async readDispatchCursor(reader: string): Promise<string | null> {
    const rows = await this.db.statement<Row>(sql`SELECT cursor FROM webhook_dispatch_cursors WHERE name = ${reader}`);
    return nullableString(rows[0]?.cursor);
  }

  dispatch(request: DispatchRequest): Promise<{ ok: true; deliveries: number } | { ok: false; reason: 'moved' }> {
    return this.db.transaction(async (s) => {
      const written = await dispatchEvents(s, this.d, request);
      if (written.ok && written.jobs > 0) await this.announceJobs(s);
      return written.ok ? { ok: true, deliveries: written.deliveries } : written;
    });
  }

  async deliveryToSend(deliveryId: string): Promise<{ delivery: WebhookDelivery; endpoint: WebhookEndpoint & { deleted: boolean } } | null> {
    if (!isJobId(deliveryId)) return null;
    return this.db.transaction(async (s) => {
      const delivery = await readDelivery(s, this.d, deliveryId);
      if (delivery === null) return null;
      const endpoint = await readEndpoint(s, this.d, delivery.endpointId);
      return endpoint === null ? null : { delivery, endpoint };
    });
  }

  recordTry(attempt: DeliveryTry): Promise<{ endpointDisabled: boolean }> {
    return this.db.transaction(async (s) => {
      const recorded = await recordDeliveryTry(s, this.d, attempt);
      // A released waiting delivery has a new job to claim.
      if (attempt.final || attempt.succeeded) await this.announceJobs(s);
      return recorded;
    });
  }

  abandonDelivery(deliveryId: string, reason: string, maxTries: number): Promise<void> {
    return this.db.transaction(async (s) => {
      await abandonDelivery(s, this.d, deliveryId, reason, maxTries);
      await this.announceJobs(s);
    });
  }

  async listDeliveries(endpointId: string, request: { limit: number; cursor?: string; status?: DeliveryStatus }): Promise<DeliveryPage> {
    if (!isJobId(endpointId)) return { deliveries: [], nextCursor: null };
    return this.db.transaction((s) => listDeliveries(s, this.d, endpointId, request));
  }

  async getDelivery(endpointId: string, deliveryId: string): Promise<{ delivery: WebhookDelivery; attempts: WebhookDeliveryAttempt[] } | null> {
    if (!isJobId(endpointId) || !isJobId(deliveryId)) return null;
    return this.db.transaction(async (s) => {
      const delivery = await readDelivery(s, this.d, deliveryId);
      if (delivery === null || delivery.endpointId !== endpointId) return null;
      return { delivery, attempts: await readDeliveryAttempts(s, this.d, deliveryId) };
    });
  }

  resendEvent(request: RecoveryRequest & { eventId: string }): Promise<RecoveryResult> {
    return this.recover(request, { kind: 'resend', eventId: request.eventId });
  }

  redeliverFailed(request: RecoveryRequest & { since: Date }): Promise<RecoveryResult> {
    return this.recover(request, { kind: 'redeliver_failed', since: request.since });
  }

  async listRecoveries(endpointId: string, limit: number): Promise<WebhookRecovery[]> {
    if (!isJobId(endpointId)) return [];
    return this.db.transaction((s) => listRecoveries(s, this.d, endpointId, limit));
  }

  private recover(request: RecoveryRequest, which: Parameters<typeof recoverDeliveries>[3]): Promise<RecoveryResult> {
    if (!isJobId(request.endpointId)) return Promise.resolve({ ok: false, reason: 'endpoint_not_found' });
    return this.db.transaction(async (s) => {
      const result = await recoverDeliveries(s, this.d, request, which);
      if (result.ok && result.deliveries.length > 0) await this.announceJobs(s);
      return result;
    });
  }
}
