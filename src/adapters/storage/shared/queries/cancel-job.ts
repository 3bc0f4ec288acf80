import { sql } from 'drizzle-orm';
import type { CancelResult } from '../../../../core/job-repository.js';
import type { JobState } from '../../../../core/job.js';
import { jobFromRow, type Row } from '../job-rows.js';
import type { SqlDialect } from '../sql-dialect.js';
import type { SqlSession } from '../sql-database.js';
import { insertTransitions } from './insert-transitions.js';

/**
 * A pending job is cancelled at once. A running one gets `cancel_requested`: the repository signals
 * its worker (and the worker's next heartbeat would see the flag anyway), which aborts the handler
 * and settles the job `cancelled`.
 */
export async function cancelJob(s: SqlSession, d: SqlDialect, jobId: string): Promise<CancelResult> {
  const cancelled = await s.all<Row>(sql`
    UPDATE ingestion_jobs
    SET state = 'cancelled', finished_at = ${s.now}, updated_at = ${s.now},
      failure_category = 'cancelled', failure_code = 'CANCELLED_BY_OPERATOR',
      failure_message = 'cancelled by an operator before it ran', failure_retryable = ${d.bool(false)}
    WHERE id = ${d.id(jobId)} AND state = 'pending'
    RETURNING *`);
  const cancelledRow = cancelled[0];
  if (cancelledRow !== undefined) {
    const job = jobFromRow(cancelledRow, d);
    await insertTransitions(s, d, [
      { jobId, attemptNumber: job.attemptCount, fromState: 'pending', toState: 'cancelled', reason: 'cancelled_by_operator' },
    ]);
    return { ok: true, effect: 'cancelled', job };
  }

  const requested = await s.all<Row>(sql`
    UPDATE ingestion_jobs SET cancel_requested = ${d.bool(true)}, updated_at = ${s.now}
    WHERE id = ${d.id(jobId)} AND state = 'running'
    RETURNING *`);
  const requestedRow = requested[0];
  if (requestedRow !== undefined) return { ok: true, effect: 'cancel_requested', job: jobFromRow(requestedRow, d) };

  const current = await s.all<{ state: JobState }>(sql`SELECT state FROM ingestion_jobs WHERE id = ${d.id(jobId)}`);
  const state = current[0]?.state;
  return state === undefined ? { ok: false, reason: 'not_found' } : { ok: false, reason: 'invalid_state', state };
}
