import { sql, type SQL } from 'drizzle-orm';
import type { ClaimRequest } from '../../../../core/job-repository.js';
import { DEFAULT_MAX_INTERRUPTIONS, tooManyInterruptionsFailure } from '../../../../core/interruptions.js';
import type { Job } from '../../../../core/job.js';
import { jobFromRow, type Row } from '../../shared/job-rows.js';
import { pgDialect } from '../pg-dialect.js';
import { closedAttemptColumns, closedAttemptConflict } from '../../shared/queries/closed-attempt.js';
import type { PgDatabase } from '../pg-database.js';

/**
 * One statement, one round trip: rescue expired leases, lock due jobs with SKIP LOCKED so
 * concurrent workers never wait on each other, start an attempt for each claimed job (on the job
 * row: its attempt row is written when it ends, and its `claimed` transition is read off that
 * attempt) and record the rescues and ends of expired leases. Every time is the
 * server's now().
 *
 * An expired lease is an interruption, not an attempt (docs/adr/0013): the rescue gives the attempt
 * back and counts the interruption. An expired job reaching `maxInterruptions` ends `exhausted`,
 * and one whose cancel was requested ends `cancelled`, instead of being claimed; the dead attempt is
 * recorded as `lease_expired` either way.
 *
 * Pipeline limits (docs/adr/0020): the due scan skips every pipeline that has a limit, so with no
 * limits it is the scan it always was. For each limited pipeline `pipeline_free_slots` (migration
 * 0008) says how many of its jobs to take: none when it has nothing due or is at its limit (no lock
 * then); otherwise it locks the pipeline's limit row until this claim commits and counts its running
 * jobs on a fresh snapshot. That many are taken, from the pipeline's own index, and merged with the
 * rest by priority. Rescued jobs were running already: they count once.
 */
export async function claimJobs(db: PgDatabase, request: ClaimRequest): Promise<Job[]> {
  const rows = await db.prepared<Row>('ia_claim_jobs', claimJobsQuery(request));
  return rows.map((row) => jobFromRow(row, pgDialect));
}

/** The claim statement itself, exported so its plan can be inspected (docs/claim-query-plan.md). */
export function claimJobsQuery({ workerId, limit, leaseMs, maxInterruptions = DEFAULT_MAX_INTERRUPTIONS }: ClaimRequest): SQL {
  // The ceiling is a bound parameter; the message is rendered from it so it stays one prepared text.
  const tooMany = tooManyInterruptionsFailure(maxInterruptions);
  return sql`
    WITH limits AS MATERIALIZED (
      SELECT pipeline, max_running FROM pipeline_limits
    ),
    expired AS (
      SELECT id, attempt_count, interruptions, cancel_requested, priority, next_retry_at,
        claimed_by, claimed_at
      FROM ingestion_jobs
      -- Only running jobs hold a lease (CHECK ingestion_jobs_lease_iff_running), and naming the state
      -- here would let a planner without statistics prefer a sequential scan to the lease index.
      WHERE lease_until < now()
      ORDER BY lease_until
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    ),
    closed_attempts AS (
      INSERT INTO ${closedAttemptColumns}
      SELECT id, attempt_count, claimed_by, claimed_at, now(), 'lease_expired',
        'lease_lost', 'LEASE_EXPIRED', 'the lease expired without a heartbeat; the worker is presumed dead', true,
        (floor(extract(epoch from (now() - claimed_at)) * 1000))::bigint
      FROM expired
      ${closedAttemptConflict}
    ),
    ended AS (
      UPDATE ingestion_jobs j
      SET state = CASE WHEN e.cancel_requested THEN 'cancelled' ELSE 'exhausted' END,
        claimed_by = NULL, lease_until = NULL, finished_at = now(), updated_at = now(),
        spent_attempts = greatest(j.spent_attempts - 1, 0), interruptions = j.interruptions + 1,
        failure_category = 'lease_lost',
        failure_code = CASE WHEN e.cancel_requested THEN 'LEASE_EXPIRED' ELSE ${tooMany.code} END,
        failure_message = CASE WHEN e.cancel_requested
          THEN 'the lease expired without a heartbeat; the worker is presumed dead' ELSE ${tooMany.message} END,
        failure_retryable = true
      FROM expired e
      WHERE j.id = e.id AND (e.cancel_requested OR e.interruptions + 1 >= ${maxInterruptions}::int)
      RETURNING j.id, j.attempt_count, j.state
    ),
    rescued AS (
      SELECT id, attempt_count, priority, next_retry_at FROM expired
      WHERE NOT cancel_requested AND interruptions + 1 < ${maxInterruptions}::int
    ),
    -- Jobs of pipelines without a limit. The pipeline filter sits behind \`NOT EXISTS (SELECT 1 FROM
    -- limits)\`, true when no pipeline has a limit: then no row is checked against the array, and the
    -- planner, which cannot estimate that arm, keeps the index scan. Alone, with one pipeline in the
    -- statistics, \`pipeline <> ALL (...)\` is taken to reject nearly every row, and the planner sorts
    -- the whole table instead.
    due AS (
      SELECT id, priority, next_retry_at FROM ingestion_jobs
      WHERE state = 'pending' AND next_retry_at <= now()
        AND (NOT EXISTS (SELECT 1 FROM limits) OR pipeline <> ALL (ARRAY(SELECT pipeline FROM limits)))
      ORDER BY priority DESC, next_retry_at, id
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    ),
    open_limited AS MATERIALIZED (
      -- The ORDER BY in the subquery fixes the order of the calls, hence of the locks: two claims
      -- never wait on each other's limit rows in a cycle.
      SELECT l.pipeline, pipeline_free_slots(l.pipeline) AS free
      FROM (SELECT pipeline FROM limits ORDER BY pipeline) l
    ),
    due_limited AS (
      SELECT d.id, d.priority, d.next_retry_at
      FROM open_limited o
      CROSS JOIN LATERAL (
        SELECT id, priority, next_retry_at FROM ingestion_jobs j
        WHERE j.state = 'pending' AND j.pipeline = o.pipeline AND j.next_retry_at <= now()
        ORDER BY j.priority DESC, j.next_retry_at, j.id
        LIMIT least(o.free, ${limit}::int)
        FOR UPDATE SKIP LOCKED
      ) d
      WHERE o.free > 0
      -- Never more than the claim can take; the bound also keeps the planner's estimate of the jobs
      -- to update small, so it reaches them by primary key.
      ORDER BY d.priority DESC, d.next_retry_at, d.id
      LIMIT ${limit}
    ),
    picked AS (
      -- A rescued job's expired attempt is given back (not charged) and counted as an interruption.
      SELECT id, 1 AS interrupted FROM rescued
      UNION ALL
      (SELECT id, 0 FROM (SELECT * FROM due UNION ALL SELECT * FROM due_limited) candidates
       ORDER BY priority DESC, next_retry_at, id
       LIMIT (SELECT greatest(${limit}::int - count(*), 0) FROM rescued))
    ),
    claimed AS (
      UPDATE ingestion_jobs j
      SET state = 'running', attempt_count = j.attempt_count + 1,
        spent_attempts = j.spent_attempts + 1 - p.interrupted, interruptions = j.interruptions + p.interrupted,
        claimed_by = ${workerId}, claimed_at = now(), last_heartbeat_at = now(), updated_at = now(),
        lease_until = ${pgDialect.addMs(sql`now()`, leaseMs)}
      FROM picked p
      WHERE j.id = p.id
      RETURNING j.*, p.interrupted AS rescued
    ),
    transitions AS (
      INSERT INTO job_state_transitions (job_id, attempt_number, from_state, to_state, reason, at)
      SELECT id, attempt_count, 'running', 'pending', 'lease_expired', now() FROM rescued
      UNION ALL
      SELECT id, attempt_count, 'running', state, 'lease_expired', now() FROM ended
    )
    SELECT * FROM claimed ORDER BY priority DESC, next_retry_at, id`;
}
