import { sql } from 'drizzle-orm';
import type { DeliveryTry } from '../../../../../core/webhooks/webhook-repository.js';
import type { Row } from '../../job-rows.js';
import type { SqlDialect } from '../../sql-dialect.js';
import type { SqlSession } from '../../sql-database.js';
import { releaseNextInScope } from './open-deliveries.js';

/**
 * One try of a delivery, in one transaction: its attempt row; the delivery's status (ended on a
 * success or the last try); the endpoint's failing streak (cleared by a success, and the endpoint
 * disabled, reason recorded, when the receiver said 410 Gone or has failed for `disableAfterMs`);
 * and, on an ordered endpoint, the next waiting delivery of the scope released once this one ended.
 */
export async function recordDeliveryTry(s: SqlSession, d: SqlDialect, attempt: DeliveryTry): Promise<{ endpointDisabled: boolean }> {
  const deliveryId = d.id(attempt.deliveryId);
  // The endpoint row first, as a resend or redelivery locks it before the delivery's: the other
  // order could deadlock with one on PostgreSQL (SQLite has one writer). NO KEY UPDATE, the lock the
  // endpoint's UPDATE below takes anyway: it leaves the dispatcher's foreign-key checks on the row
  // free, as it holds a scope lock this transaction may take next.
  const owners = await s.all<Row>(sql`SELECT endpoint_id FROM webhook_deliveries WHERE id = ${deliveryId}`);
  const owner = owners[0];
  if (owner === undefined) throw new Error(`delivery ${attempt.deliveryId} cannot be found`);
  const lock = d.name === 'postgres' ? sql`FOR NO KEY UPDATE` : sql``;
  await s.all<Row>(sql`SELECT id FROM webhook_endpoints WHERE id = ${d.id(String(owner.endpoint_id))} ${lock}`);
  await s.run(sql`
    INSERT INTO webhook_delivery_attempts (delivery_id, job_id, job_attempt, started_at, latency_ms, outcome, status_code, response_excerpt, error)
    VALUES (${deliveryId}, ${d.id(attempt.jobId)}, ${attempt.jobAttempt}, ${d.addMs(s.now, -attempt.latencyMs)}, ${attempt.latencyMs},
      ${attempt.succeeded ? 'succeeded' : 'failed'}, ${attempt.statusCode}, ${attempt.responseExcerpt}, ${attempt.error})`);
  const status = attempt.succeeded ? 'succeeded' : attempt.final ? 'failed' : 'pending';
  const rows = await s.all<Row>(sql`
    UPDATE webhook_deliveries SET status = ${status}, attempt_count = attempt_count + 1, last_error = ${attempt.error},
      updated_at = ${s.now}, finished_at = ${attempt.final || attempt.succeeded ? s.now : null}
    WHERE id = ${deliveryId}
    RETURNING endpoint_id, scope_key`);
  const delivery = rows[0];
  if (delivery === undefined) throw new Error(`delivery ${attempt.deliveryId} cannot be found`);
  const endpointId = String(delivery.endpoint_id);

  await s.run(
    attempt.succeeded
      ? sql`UPDATE webhook_endpoints SET failing_since = NULL WHERE id = ${d.id(endpointId)} AND failing_since IS NOT NULL`
      : sql`UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, ${s.now}) WHERE id = ${d.id(endpointId)}`,
  );
  let disabled = false;
  if (!attempt.succeeded) {
    const reason =
      attempt.disableReason ??
      `every delivery failed for ${Math.round(attempt.disableAfterMs / 3_600_000)} h or more (WEBHOOK_DISABLE_AFTER_FAILING_HOURS); last error: ${attempt.error ?? 'unknown'}`;
    const streakTooLong = attempt.disableReason === undefined ? sql`AND failing_since <= ${d.addMs(s.now, -attempt.disableAfterMs)}` : sql``;
    disabled =
      (await s.run(sql`
        UPDATE webhook_endpoints SET enabled = ${d.bool(false)}, disabled_reason = ${reason.slice(0, 2000)}, disabled_at = ${s.now}, updated_at = ${s.now}
        WHERE id = ${d.id(endpointId)} AND ${d.isTrue(sql`enabled`)} ${streakTooLong}`)) > 0;
  }
  const ordered = await s.all<Row>(sql`SELECT ordered FROM webhook_endpoints WHERE id = ${d.id(endpointId)}`);
  if ((attempt.succeeded || attempt.final) && d.readBool(ordered[0]?.ordered)) {
    await releaseNextInScope(s, d, endpointId, String(delivery.scope_key), attempt.maxTries);
  }
  return { endpointDisabled: disabled };
}
