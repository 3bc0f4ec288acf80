import { sql } from 'drizzle-orm';
import { deliveryJob } from '../../../../../core/webhooks/delivery-job.js';
import type { Row } from '../../job-rows.js';
import type { SqlDialect } from '../../sql-dialect.js';
import type { SqlSession } from '../../sql-database.js';
import { insertJobs } from '../insert-jobs.js';

/** The lock serializing an ordered endpoint's scope between the dispatcher and the release of its next event. */
export function scopeLockKey(endpointId: string, scopeKey: string): string {
  return `webhook:${endpointId}:${scopeKey}`;
}

/** Whether a delivery of this endpoint's scope is waiting or being sent. */
export async function hasOpenDelivery(s: SqlSession, d: SqlDialect, endpointId: string, scopeKey: string): Promise<boolean> {
  const rows = await s.all<Row>(sql`
    SELECT 1 AS open FROM webhook_deliveries
    WHERE endpoint_id = ${d.id(endpointId)} AND scope_key = ${scopeKey} AND status IN ('waiting', 'pending')
    LIMIT 1`);
  return rows.length > 0;
}

/**
 * After a delivery of an ordered scope ended (sent or given up): its scope's oldest waiting delivery
 * gets its job, unless another of the scope is still being sent.
 */
export async function releaseNextInScope(s: SqlSession, d: SqlDialect, endpointId: string, scopeKey: string, maxTries: number): Promise<boolean> {
  await d.lockScope(s, scopeLockKey(endpointId, scopeKey));
  const rows = await s.all<Row>(sql`
    SELECT id, event_id, status FROM webhook_deliveries
    WHERE endpoint_id = ${d.id(endpointId)} AND scope_key = ${scopeKey} AND status IN ('waiting', 'pending')
    ORDER BY id LIMIT 1`);
  const next = rows[0];
  if (next === undefined || next.status !== 'waiting') return false;
  const [enqueued] = await insertJobs(s, d, [deliveryJob({ endpointId, eventId: String(next.event_id), deliveryId: String(next.id), maxTries })]);
  if (enqueued === undefined) throw new Error('releasing a waiting delivery made no job');
  await s.run(sql`
    UPDATE webhook_deliveries SET status = 'pending', job_id = ${d.id(enqueued.job.id)}, updated_at = ${s.now}
    WHERE id = ${d.id(String(next.id))}`);
  return true;
}

/**
 * An endpoint no longer ordered: every delivery still waiting for its scope gets its job now, in the
 * caller's transaction (nothing else would ever release it). Returns how many were released.
 */
export async function releaseAllWaiting(s: SqlSession, d: SqlDialect, endpointId: string, maxTries: number): Promise<number> {
  const rows = await s.all<Row>(sql`
    SELECT id, event_id FROM webhook_deliveries
    WHERE endpoint_id = ${d.id(endpointId)} AND status = 'waiting'
    ORDER BY id ${d.forUpdate}`);
  if (rows.length === 0) return 0;
  const enqueued = await insertJobs(
    s,
    d,
    rows.map((row) => deliveryJob({ endpointId, eventId: String(row.event_id), deliveryId: String(row.id), maxTries })),
  );
  for (const [i, row] of rows.entries()) {
    const jobId = enqueued[i]?.job.id;
    if (jobId === undefined) throw new Error('releasing waiting deliveries made fewer jobs than deliveries');
    await s.run(sql`
      UPDATE webhook_deliveries SET status = 'pending', job_id = ${d.id(jobId)}, updated_at = ${s.now}
      WHERE id = ${d.id(String(row.id))}`);
  }
  return rows.length;
}
