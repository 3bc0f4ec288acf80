import { sql } from 'drizzle-orm';
import { followUpIdempotencyKey, type FollowUpJob } from '../../../../core/follow-up.js';
import { scopeKeyOf } from '../../../../core/scope-key.js';
import type { SqlSession } from '../../shared/sql-database.js';

/**
 * A success's follow-ups inside the settle's transaction and after its fence, in three statements
 * whatever their number (they travel as one JSON array): insert the jobs not already stored under
 * their key, with the parent's correlation id and max_attempts; write their `enqueued`
 * transitions; and record on the parent how many were new. Returns the new jobs per pipeline.
 * Inserted in key order, as on PostgreSQL (where it keeps settles sharing keys from deadlocking).
 */
export async function insertFollowUps(s: SqlSession, parentJobId: string, followUps: FollowUpJob[]): Promise<Map<string, number>> {
  const input = JSON.stringify(
    followUps.map((f) => ({
      pipeline: f.pipeline,
      scope: JSON.stringify(f.scope),
      scope_key: scopeKeyOf(f.scope),
      params: JSON.stringify(f.params ?? {}),
      priority: f.priority ?? 0,
      run_at: f.runAt === undefined ? null : Date.parse(f.runAt),
      delay_ms: Math.round((f.delaySeconds ?? 0) * 1000),
      idempotency_key: followUpIdempotencyKey(f.pipeline, f.key),
    })),
  );
  const parent = Number(parentJobId);
  // `WHERE true` tells SQLite's parser that ON CONFLICT belongs to the INSERT, not to a join.
  const inserted = await s.all<{ id: number; pipeline: string }>(sql`
    INSERT INTO ingestion_jobs (pipeline, scope, scope_key, params, priority, max_attempts, next_retry_at,
      idempotency_key, correlation_id, parent_job_id, created_at, updated_at)
    SELECT json_extract(e.value, '$.pipeline'), json_extract(e.value, '$.scope'), json_extract(e.value, '$.scope_key'),
      json_extract(e.value, '$.params'), json_extract(e.value, '$.priority'), p.max_attempts,
      max(coalesce(json_extract(e.value, '$.run_at'), ${s.now}), ${s.now} + json_extract(e.value, '$.delay_ms')),
      json_extract(e.value, '$.idempotency_key'), p.correlation_id, p.id, ${s.now}, ${s.now}
    FROM json_each(${input}) AS e CROSS JOIN (SELECT id, correlation_id, max_attempts FROM ingestion_jobs WHERE id = ${parent}) AS p
    WHERE true
    ORDER BY json_extract(e.value, '$.idempotency_key')
    ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
    RETURNING id, pipeline`);
  const ids = JSON.stringify(inserted.map((row) => row.id).sort((a, b) => a - b));
  await s.run(sql`
    INSERT INTO job_state_transitions (job_id, attempt_number, from_state, to_state, reason, at)
    SELECT value, 0, NULL, 'pending', 'enqueued', ${s.now} FROM json_each(${ids}) ORDER BY key`);
  await s.run(sql`
    UPDATE ingestion_jobs SET counters = json_set(counters, '$.follow_ups_enqueued', ${inserted.length}) WHERE id = ${parent}`);
  const byPipeline = new Map<string, number>();
  for (const row of inserted) byPipeline.set(row.pipeline, (byPipeline.get(row.pipeline) ?? 0) + 1);
  return byPipeline;
}
