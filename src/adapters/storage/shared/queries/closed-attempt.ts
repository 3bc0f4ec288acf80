import { sql } from 'drizzle-orm';

/**
 * An attempt's row is written once, when the attempt ends; the attempt in progress is the job row
 * (attempt_count, claimed_by, claimed_at). Statements that close an attempt insert into these
 * columns and end with `closedAttemptConflict`: a row an earlier version opened at claim time is
 * closed in place instead of colliding with it.
 */
export const closedAttemptColumns = sql.raw(`job_attempts (job_id, attempt_number, worker_id, started_at, finished_at, outcome,
    failure_category, failure_code, failure_message, failure_retryable, duration_ms)`);

export const closedAttemptConflict = sql.raw(`ON CONFLICT (job_id, attempt_number) DO UPDATE SET
    finished_at = excluded.finished_at, outcome = excluded.outcome, failure_category = excluded.failure_category,
    failure_code = excluded.failure_code, failure_message = excluded.failure_message,
    failure_retryable = excluded.failure_retryable, duration_ms = excluded.duration_ms
    WHERE job_attempts.finished_at IS NULL`);
