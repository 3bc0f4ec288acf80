import { sql, type SQL } from 'drizzle-orm';
import { followUpIdempotencyKey, type FollowUpJob } from '../../../../core/follow-up.js';
import { scopeKeyOf } from '../../../../core/scope-key.js';
import type { SqlSession } from '../../shared/sql-database.js';

/**
 * A success's follow-ups in one statement, whatever their number (they travel as parallel arrays),
 * inside the settle's transaction and after its fence: insert the jobs not already stored under
 * their key, with the parent's correlation id and max_attempts; write their `enqueued` transitions;
 * and record on the parent how many were new. Returns the new jobs per pipeline. Inserted in key
 * order (bytewise), whatever the declared order: two settles declaring the same keys wait on each
 * other's unique-index entries in one order, never in opposite ones (a deadlock).
 */
export async function insertFollowUps(s: SqlSession, parentJobId: string, followUps: FollowUpJob[]): Promise<Map<string, number>> {
  const rows = await s.all<{ pipeline: string; enqueued: string | number }>(insertFollowUpsQuery(parentJobId, followUps));
  return new Map(rows.map((row) => [row.pipeline, Number(row.enqueued)]));
}

export function insertFollowUpsQuery(parentJobId: string, followUps: FollowUpJob[]): SQL {
  const column = <T>(pick: (f: FollowUpJob) => T) => sql.param(followUps.map(pick));
  return sql`
    WITH parent AS (
      SELECT id, correlation_id, max_attempts FROM ingestion_jobs WHERE id = ${parentJobId}::bigint
    ),
    input AS (
      SELECT * FROM unnest(
        ${column((f) => f.pipeline)}::text[], ${column((f) => JSON.stringify(f.scope))}::jsonb[],
        ${column((f) => scopeKeyOf(f.scope))}::text[], ${column((f) => JSON.stringify(f.params ?? {}))}::jsonb[],
        ${column((f) => f.priority ?? 0)}::int[], ${column((f) => f.runAt ?? null)}::timestamptz[],
        ${column((f) => Math.round((f.delaySeconds ?? 0) * 1000))}::bigint[],
        ${column((f) => followUpIdempotencyKey(f.pipeline, f.key))}::text[]
      ) AS t(pipeline, scope, scope_key, params, priority, run_at, delay_ms, idempotency_key)
    ),
    inserted AS (
      INSERT INTO ingestion_jobs (pipeline, scope, scope_key, params, priority, max_attempts, next_retry_at,
        idempotency_key, correlation_id, parent_job_id, created_at, updated_at)
      SELECT i.pipeline, i.scope, i.scope_key, i.params, i.priority, p.max_attempts,
        greatest(coalesce(i.run_at, now()), now() + i.delay_ms * interval '1 millisecond'),
        i.idempotency_key, p.correlation_id, p.id, now(), now()
      FROM input i CROSS JOIN parent p ORDER BY i.idempotency_key COLLATE "C"
      ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
      RETURNING id, pipeline
    ),
    transitions AS (
      INSERT INTO job_state_transitions (job_id, attempt_number, from_state, to_state, reason, at)
      SELECT id, 0, NULL, 'pending', 'enqueued', now() FROM inserted ORDER BY id
    ),
    counted AS (
      UPDATE ingestion_jobs SET counters = counters || jsonb_build_object('follow_ups_enqueued', (SELECT count(*) FROM inserted))
      WHERE id = ${parentJobId}::bigint
    )
    SELECT pipeline, count(*) AS enqueued FROM inserted GROUP BY pipeline`;
}
