import { type SQL, sql } from 'drizzle-orm';
import { deliveryJob } from '../../../../../core/webhooks/delivery-job.js';
import type { RecoveryRequest, RecoveryResult, WebhookDelivery } from '../../../../../core/webhooks/webhook-repository.js';
import type { Row } from '../../job-rows.js';
import type { SqlDialect } from '../../sql-dialect.js';
import type { SqlSession } from '../../sql-database.js';
import { deliveryFromRow } from '../../webhook-rows.js';
import { insertJobs } from '../insert-jobs.js';

/** Deliveries one redelivery takes at most; ask again for the rest. */
export const MAX_REDELIVERIES = 1_000;

/**
 * Sends ended deliveries again (failed ones, and pending ones whose job ended without recording a
 * final try, e.g. cancelled): each back to `pending` with a new job (same event, so the same
 * webhook-id and body), and one recovery row saying who asked and when. The jobs carry the audit of
 * what happened next. Refused while the endpoint is disabled or deleted.
 */
export async function recoverDeliveries(
  s: SqlSession,
  d: SqlDialect,
  request: RecoveryRequest,
  which: { kind: 'resend'; eventId: string } | { kind: 'redeliver_failed'; since: Date },
): Promise<RecoveryResult> {
  const endpoints = await s.all<Row>(sql`SELECT enabled FROM webhook_endpoints WHERE id = ${d.id(request.endpointId)} AND deleted_at IS NULL ${d.forUpdate}`);
  const endpoint = endpoints[0];
  if (endpoint === undefined) return { ok: false, reason: 'endpoint_not_found' };
  if (!d.readBool(endpoint.enabled)) return { ok: false, reason: 'endpoint_disabled' };

  // A `pending` delivery whose job ended without a final try (cancelled, or exhausted by
  // interruptions) would otherwise stay pending for good: it is recoverable like a failed one.
  const jobEnded = (also: SQL = sql``) =>
    sql`EXISTS (SELECT 1 FROM ingestion_jobs j WHERE j.id = webhook_deliveries.job_id AND j.state IN ('failed', 'exhausted', 'cancelled') ${also})`;
  const selected =
    which.kind === 'resend'
      ? await s.all<Row>(sql`
          SELECT *, CASE WHEN ${jobEnded()} THEN 1 ELSE 0 END AS job_ended FROM webhook_deliveries
          WHERE endpoint_id = ${d.id(request.endpointId)} AND event_id = ${which.eventId} ${d.forUpdate}`)
      : await s.all<Row>(sql`
          SELECT * FROM webhook_deliveries
          WHERE endpoint_id = ${d.id(request.endpointId)}
            AND ((status = 'failed' AND finished_at >= ${d.time(which.since)})
              OR (status = 'pending' AND ${jobEnded(sql`AND j.finished_at >= ${d.time(which.since)}`)}))
          ORDER BY id LIMIT ${MAX_REDELIVERIES} ${d.forUpdate}`);
  if (which.kind === 'resend') {
    const row = selected[0];
    if (row === undefined) return { ok: false, reason: 'delivery_not_found' };
    const stranded = row.status === 'pending' && Number(row.job_ended) === 1;
    if ((row.status === 'pending' && !stranded) || row.status === 'waiting') return { ok: false, reason: 'delivery_in_progress' };
  }

  const recoveryRows = await s.all<Row>(sql`
    INSERT INTO webhook_recoveries (endpoint_id, kind, event_id, since, requested_by, request_id, delivery_count, requested_at)
    VALUES (${d.id(request.endpointId)}, ${which.kind}, ${which.kind === 'resend' ? which.eventId : null},
      ${which.kind === 'redeliver_failed' ? d.time(which.since) : null}, ${request.requestedBy}, ${request.requestId}, ${selected.length}, ${s.now})
    RETURNING id`);
  const recoveryId = String(recoveryRows[0]?.id);
  if (selected.length === 0) return { ok: true, recoveryId, deliveries: [] };

  const deliveries = selected.map((row) => deliveryFromRow(row, d));
  const enqueued = await insertJobs(
    s,
    d,
    deliveries.map((delivery) =>
      deliveryJob({ endpointId: delivery.endpointId, eventId: delivery.eventId, deliveryId: delivery.id, maxTries: request.maxTries, recovery: `recovery:${recoveryId}` }),
    ),
  );
  const updated: WebhookDelivery[] = [];
  for (const [i, delivery] of deliveries.entries()) {
    const jobId = enqueued[i]?.job.id;
    if (jobId === undefined) throw new Error('a recovery made fewer jobs than deliveries');
    const rows = await s.all<Row>(sql`
      UPDATE webhook_deliveries SET status = 'pending', job_id = ${d.id(jobId)}, finished_at = NULL, updated_at = ${s.now}
      WHERE id = ${d.id(delivery.id)} RETURNING *`);
    const row = rows[0];
    if (row !== undefined) updated.push(deliveryFromRow(row, d));
  }
  return { ok: true, recoveryId, deliveries: updated };
}
