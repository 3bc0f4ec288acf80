import { sql } from 'drizzle-orm';
import type { ClaimRequest } from '../../../../core/job-repository.js';
import { DEFAULT_MAX_INTERRUPTIONS, tooManyInterruptionsFailure } from '../../../../core/interruptions.js';
import type { Job } from '../../../../core/job.js';
import { insertTransitions, type TransitionRecord } from '../../shared/queries/insert-transitions.js';
import { jobFromRow, type Row } from '../../shared/job-rows.js';
import type { SqlSession } from '../../shared/sql-database.js';
import { closedAttemptColumns, closedAttemptConflict } from '../../shared/queries/closed-attempt.js';
import { sqliteDialect as d } from '../sqlite-dialect.js';
import type { SqliteDatabase } from '../sqlite-database.js';

const LEASE_EXPIRED = {
  category: 'lease_lost',
  code: 'LEASE_EXPIRED',
  message: 'the lease expired without a heartbeat; the worker is presumed dead',
} as const;

/**
 * SQLite has no SKIP LOCKED: `BEGIN IMMEDIATE` makes the claim the only writer, so the same steps
 * as PostgreSQL's single statement run one after another inside one transaction.
 */
export function claimJobs(db: SqliteDatabase, request: ClaimRequest): Promise<Job[]> {
  return db.transaction((s) => claimInTransaction(s, request));
}

async function claimInTransaction(
  s: SqlSession,
  { workerId, limit, leaseMs, maxInterruptions = DEFAULT_MAX_INTERRUPTIONS }: ClaimRequest,
): Promise<Job[]> {
  const transitions: TransitionRecord[] = [];
  const expired = await s.all<Row>(sql`
    SELECT id, attempt_count, interruptions, cancel_requested, claimed_by, claimed_at FROM ingestion_jobs
    WHERE state = 'running' AND lease_until < ${s.now}
    ORDER BY lease_until LIMIT ${limit}`);

  const rescuedIds: number[] = [];
  for (const row of expired) {
    const id = Number(row.id);
    const attempt = Number(row.attempt_count);
    await s.run(sql`
      INSERT INTO ${closedAttemptColumns}
      VALUES (${id}, ${attempt}, ${String(row.claimed_by)}, ${Number(row.claimed_at)}, ${s.now}, 'lease_expired',
        ${LEASE_EXPIRED.category}, ${LEASE_EXPIRED.code}, ${LEASE_EXPIRED.message}, 1, ${s.now} - ${Number(row.claimed_at)})
      ${closedAttemptConflict}`);
    const cancel = d.readBool(row.cancel_requested);
    // An expired lease is an interruption, not an attempt (docs/adr/0013).
    if (!cancel && Number(row.interruptions) + 1 < maxInterruptions) {
      rescuedIds.push(id);
      transitions.push({ jobId: String(id), attemptNumber: attempt, fromState: 'running', toState: 'pending', reason: 'lease_expired' });
      continue;
    }
    const toState = cancel ? 'cancelled' : 'exhausted';
    const failure = cancel ? LEASE_EXPIRED : tooManyInterruptionsFailure(maxInterruptions);
    await s.run(sql`
      UPDATE ingestion_jobs SET state = ${toState}, claimed_by = NULL, lease_until = NULL,
        finished_at = ${s.now}, updated_at = ${s.now},
        spent_attempts = max(spent_attempts - 1, 0), interruptions = interruptions + 1,
        failure_category = ${failure.category},
        failure_code = ${failure.code}, failure_message = ${failure.message}, failure_retryable = 1
      WHERE id = ${id}`);
    transitions.push({ jobId: String(id), attemptNumber: attempt, fromState: 'running', toState, reason: 'lease_expired' });
  }

  await insertTransitions(s, d, transitions);

  const room = limit - rescuedIds.length;
  const due =
    room <= 0
      ? []
      : await s.all<{ id: number }>(sql`
          SELECT id FROM ingestion_jobs
          WHERE state = 'pending' AND next_retry_at <= ${s.now}
          ORDER BY priority DESC, next_retry_at, id LIMIT ${room}`);
  const picked = [...rescuedIds, ...due.map((row) => row.id)];
  if (picked.length === 0) return [];

  // A rescued job's expired attempt is given back (not charged) and counted as an interruption.
  const interrupted = rescuedIds.length === 0 ? sql`0` : sql`(id IN ${rescuedIds})`;
  const claimed = await s.all<Row>(sql`
    UPDATE ingestion_jobs
    SET state = 'running', attempt_count = attempt_count + 1,
      spent_attempts = spent_attempts + 1 - ${interrupted}, interruptions = interruptions + ${interrupted},
      claimed_by = ${workerId}, claimed_at = ${s.now}, last_heartbeat_at = ${s.now}, updated_at = ${s.now},
      lease_until = ${d.addMs(s.now, leaseMs)}
    WHERE id IN ${picked}
    RETURNING *, ${interrupted} AS rescued`);
  const jobs = claimed.map((row) => jobFromRow(row, d));
  jobs.sort((a, b) => b.priority - a.priority || a.nextRetryAt.getTime() - b.nextRetryAt.getTime() || Number(a.id) - Number(b.id));
  // Each claim's `pending -> running` is read off its attempt (core/job-transitions.ts).
  return jobs;
}
