import { sql, type SQL } from 'drizzle-orm';
import type { SettleResult } from '../../../../core/job-repository.js';
import type { AttemptOutcome, JobFailure, JobLease, JobState } from '../../../../core/job.js';
import type { SqlDialect } from '../sql-dialect.js';
import type { SqlSession } from '../sql-database.js';
import { closedAttemptColumns, closedAttemptConflict } from './closed-attempt.js';
import { insertTransitions } from './insert-transitions.js';

export interface SettleSpec {
  toState: JobState;
  attemptOutcome: AttemptOutcome;
  /** Recorded on the attempt; on the job too unless `keepJobFailure`. */
  failure: JobFailure | null;
  reason: string;
  /** Extra assignments on the job row. */
  jobAssignments?: SQL[];
}

/**
 * Moves a running job out of `running` for the worker that holds its lease. Fenced on (job, attempt
 * number, worker): when the lease was lost the update matches nothing, and nothing else is written.
 */
export async function settleJob(
  s: SqlSession,
  d: SqlDialect,
  lease: JobLease,
  spec: SettleSpec,
): Promise<(SettleResult & { applied: true; job: { pipeline: string; scopeKey: string } }) | (SettleResult & { applied: false })> {
  const failure = spec.failure;
  const assignments = [
    sql`state = ${spec.toState}`,
    sql`claimed_by = NULL`,
    sql`lease_until = NULL`,
    sql`updated_at = ${s.now}`,
    ...(spec.jobAssignments ?? []),
  ];
  const updated = await s.all<{ pipeline: string; scope_key: string }>(sql`
    UPDATE ingestion_jobs SET ${sql.join(assignments, sql`, `)}
    WHERE id = ${d.id(lease.jobId)} AND state = 'running'
      AND claimed_by = ${lease.workerId} AND attempt_count = ${lease.attemptNumber}
    RETURNING pipeline, scope_key`);
  const row = updated[0];
  if (row === undefined) return { applied: false, reason: 'lease_lost' };

  // The attempt began when the job was claimed; claimed_at survives the update above.
  await s.run(sql`
    INSERT INTO ${closedAttemptColumns}
    SELECT id, attempt_count, ${lease.workerId}, claimed_at, ${s.now}, ${spec.attemptOutcome},
      ${failure?.category ?? null}, ${failure?.code ?? null}, ${failure?.message ?? null},
      ${failure === null ? null : d.bool(failure.retryable)}, ${d.msBetween(sql`claimed_at`, s.now)}
    FROM ingestion_jobs WHERE id = ${d.id(lease.jobId)}
    ${closedAttemptConflict}`);
  // A success is read off its attempt row (core/job-transitions.ts); every other end is recorded.
  if (spec.attemptOutcome !== 'succeeded') {
    await insertTransitions(s, d, [
      { jobId: lease.jobId, attemptNumber: lease.attemptNumber, fromState: 'running', toState: spec.toState, reason: spec.reason },
    ]);
  }
  return { applied: true, state: spec.toState, job: { pipeline: row.pipeline, scopeKey: row.scope_key } };
}

/** Assignments that put a failure on the job row. */
export function jobFailureAssignments(d: SqlDialect, failure: JobFailure | null): SQL[] {
  return [
    sql`failure_category = ${failure?.category ?? null}`,
    sql`failure_code = ${failure?.code ?? null}`,
    sql`failure_message = ${failure?.message ?? null}`,
    sql`failure_retryable = ${failure === null ? null : d.bool(failure.retryable)}`,
  ];
}
