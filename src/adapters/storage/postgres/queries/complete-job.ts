import { sql, type SQL } from 'drizzle-orm';
import type { CompleteJobInput, SettleResult } from '../../../../core/job-repository.js';
import type { JobLease } from '../../../../core/job.js';
import { pgDialect } from '../pg-dialect.js';
import type { PgDatabase } from '../pg-database.js';

/**
 * The hot success settle as one statement, one round trip and one commit: fence and finish the job,
 * close its attempt, append the transition. Used when there is no normalized result to record; a
 * lease that was lost matches nothing and nothing is written.
 */
export async function completeJob(db: PgDatabase, lease: JobLease, input: CompleteJobInput): Promise<SettleResult> {
  const extra: SQL[] = [
    ...(input.counters === undefined ? [] : [sql`counters = ${pgDialect.json(input.counters)}`]),
    ...(input.parserVersion === undefined ? [] : [sql`parser_version = ${input.parserVersion}`]),
    ...(input.normalizerVersion === undefined ? [] : [sql`normalizer_version = ${input.normalizerVersion}`]),
  ];
  const rows = await db.statement<{ id: string }>(sql`
    WITH done AS (
      UPDATE ingestion_jobs
      SET state = 'succeeded', claimed_by = NULL, lease_until = NULL, finished_at = now(), updated_at = now(),
        cancel_requested = false, failure_category = NULL, failure_code = NULL, failure_message = NULL,
        failure_retryable = NULL ${extra.length === 0 ? sql`` : sql`, ${sql.join(extra, sql`, `)}`}
      WHERE id = ${pgDialect.id(lease.jobId)} AND state = 'running'
        AND claimed_by = ${lease.workerId} AND attempt_count = ${lease.attemptNumber}
      RETURNING id, attempt_count
    ),
    attempt AS (
      UPDATE job_attempts a
      SET finished_at = now(), outcome = 'succeeded', duration_ms = (floor(extract(epoch from (now() - a.started_at)) * 1000))::bigint
      FROM done WHERE a.job_id = done.id AND a.attempt_number = done.attempt_count
    ),
    transition AS (
      INSERT INTO job_state_transitions (job_id, attempt_number, from_state, to_state, reason, at)
      SELECT id, attempt_count, 'running', 'succeeded', 'succeeded', now() FROM done
    )
    SELECT id FROM done`);
  return rows.length === 0 ? { applied: false, reason: 'lease_lost' } : { applied: true, state: 'succeeded' };
}
