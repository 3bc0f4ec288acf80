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

interface DueJob {
  id: number;
  priority: number;
  next_retry_at: number;
}

/**
 * Up to `room` due jobs, highest priority first, skipping the jobs of pipelines at their limit
 * (docs/adr/0020). The claim holds the write lock, so the running jobs counted here are all there
 * are until it commits. Rescued jobs were running already: they are counted, once.
 */
async function dueJobs(s: SqlSession, room: number): Promise<DueJob[]> {
  // Running jobs are counted off the lease index: a pipeline's finished jobs are never read.
  const limits = await s.all<{ pipeline: string; free: number }>(sql`
    SELECT l.pipeline, l.max_running - (
      SELECT count(*) FROM ingestion_jobs r INDEXED BY ingestion_jobs_lease_idx
      WHERE r.state = 'running' AND r.pipeline = l.pipeline) AS free
    FROM pipeline_limits l`);
  const limited = limits.map((l) => l.pipeline);
  const unlimited = await s.all<DueJob>(sql`
    SELECT id, priority, next_retry_at FROM ingestion_jobs
    WHERE state = 'pending' AND next_retry_at <= ${s.now}
      ${limited.length === 0 ? sql`` : sql`AND pipeline NOT IN ${limited}`}
    ORDER BY priority DESC, next_retry_at, id LIMIT ${room}`);
  const candidates = [unlimited];
  for (const { pipeline, free } of limits) {
    if (free <= 0) continue;
    candidates.push(
      await s.all<DueJob>(sql`
        SELECT id, priority, next_retry_at FROM ingestion_jobs
        WHERE state = 'pending' AND pipeline = ${pipeline} AND next_retry_at <= ${s.now}
        ORDER BY priority DESC, next_retry_at, id LIMIT ${Math.min(free, room)}`),
    );
  }
  if (candidates.length === 1) return unlimited;
  return candidates
    .flat()
    .sort((a, b) => b.priority - a.priority || a.next_retry_at - b.next_retry_at || a.id - b.id)
    .slice(0, room);
}

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
  const due = room <= 0 ? [] : await dueJobs(s, room);
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
