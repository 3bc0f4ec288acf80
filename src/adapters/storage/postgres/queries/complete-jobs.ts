import { sql, type SQL } from 'drizzle-orm';
import type { SettleResult, SuccessSettle } from '../../../../core/job-repository.js';
import { closedAttemptColumns, closedAttemptConflict } from '../../shared/queries/closed-attempt.js';
import type { PgDatabase } from '../pg-database.js';

/**
 * Many success settles in one statement and one commit: the leases travel as parallel arrays, each
 * job is fenced on its own (id, worker, attempt), and only the ones still held are finished and their
 * attempt rows written. The attempt row is also the record of the `running -> succeeded` transition
 * (core/job-transitions.ts).
 */
export async function completeJobs(db: PgDatabase, settles: SuccessSettle[]): Promise<SettleResult[]> {
  const rows = await db.prepared<{ id: string; attempt_count: number }>('ia_complete_jobs', completeJobsQuery(settles));
  const finished = new Set(rows.map((row) => `${row.id}:${row.attempt_count}`));
  return settles.map(({ lease }) =>
    finished.has(`${lease.jobId}:${lease.attemptNumber}`) ? { applied: true, state: 'succeeded' } : { applied: false, reason: 'lease_lost' },
  );
}

/**
 * The settle statement itself, exported so its plan can be inspected. Jobs are reached by primary
 * key: the lease index's predicate (`lease_until IS NOT NULL`, migration 0005) is one the fence's
 * `state = 'running'` cannot use, so no plan walks every running job for each settled one.
 */
export function completeJobsQuery(settles: SuccessSettle[]): SQL {
  const column = <T>(pick: (s: SuccessSettle) => T) => sql.param(settles.map(pick));
  return sql`
    WITH input AS (
      SELECT * FROM unnest(
        ${column((s) => s.lease.jobId)}::bigint[], ${column((s) => s.lease.attemptNumber)}::int[],
        ${column((s) => s.lease.workerId)}::text[],
        ${column((s) => (s.input.counters === undefined ? null : JSON.stringify(s.input.counters)))}::jsonb[],
        ${column((s) => s.input.parserVersion ?? null)}::text[], ${column((s) => s.input.normalizerVersion ?? null)}::text[]
      ) AS t(id, attempt, worker, counters, parser_version, normalizer_version)
    ),
    done AS (
      UPDATE ingestion_jobs j
      SET state = 'succeeded', claimed_by = NULL, lease_until = NULL, finished_at = now(), updated_at = now(),
        cancel_requested = false, failure_category = NULL, failure_code = NULL, failure_message = NULL, failure_retryable = NULL,
        counters = coalesce(t.counters, j.counters), parser_version = coalesce(t.parser_version, j.parser_version),
        normalizer_version = coalesce(t.normalizer_version, j.normalizer_version)
      FROM input t
      WHERE j.id = t.id AND j.state = 'running' AND j.claimed_by = t.worker AND j.attempt_count = t.attempt
      RETURNING j.id, j.attempt_count, j.claimed_at, t.worker
    ),
    attempt AS (
      INSERT INTO ${closedAttemptColumns}
      SELECT id, attempt_count, worker, claimed_at, now(), 'succeeded', NULL, NULL, NULL, NULL,
        (floor(extract(epoch from (now() - claimed_at)) * 1000))::bigint
      FROM done
      ${closedAttemptConflict}
    )
    SELECT id::text AS id, attempt_count FROM done`;
}
