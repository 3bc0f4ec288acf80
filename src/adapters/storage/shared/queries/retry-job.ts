import { sql } from 'drizzle-orm';
import type { RetryResult } from '../../../../core/job-repository.js';
import type { JobState } from '../../../../core/job.js';
import { jobFromRow, type Row } from '../job-rows.js';
import type { SqlDialect } from '../sql-dialect.js';
import type { SqlSession } from '../sql-database.js';
import { insertTransitions } from './insert-transitions.js';

/**
 * An operator's retry: a failed, exhausted or cancelled job becomes due now with its whole attempt
 * budget again. Attempt numbers keep counting up, so earlier attempts stay in the record.
 */
export async function retryJob(s: SqlSession, d: SqlDialect, jobId: string): Promise<RetryResult> {
  const before = await s.all<{ state: JobState }>(sql`SELECT state FROM ingestion_jobs WHERE id = ${d.id(jobId)}`);
  const fromState = before[0]?.state;
  if (fromState === undefined) return { ok: false, reason: 'not_found' };

  const rows = await s.all<Row>(sql`
    UPDATE ingestion_jobs
    SET state = 'pending', spent_attempts = 0, interruptions = 0, next_retry_at = ${s.now}, cancel_requested = ${d.bool(false)},
      finished_at = NULL, updated_at = ${s.now}
    WHERE id = ${d.id(jobId)} AND state = ${fromState} AND state IN ('failed', 'exhausted', 'cancelled')
    RETURNING *`);
  const row = rows[0];
  if (row === undefined) return { ok: false, reason: 'invalid_state', state: fromState };
  const job = jobFromRow(row, d);
  await insertTransitions(s, d, [
    { jobId, attemptNumber: job.attemptCount, fromState, toState: 'pending', reason: 'retried_by_operator' },
  ]);
  return { ok: true, job };
}
