import type {
  AttemptOutcome,
  FailureCategory,
  Job,
  JobAttempt,
  JobFailure,
  JobState,
  JobStateTransition,
} from '../../../core/job.js';
import type { SqlDialect } from './sql-dialect.js';

/** A row as either driver returns it; the dialect turns its values into domain values. */
export type Row = Record<string, unknown>;

export function jobFromRow(row: Row, d: SqlDialect): Job {
  return {
    id: String(row.id),
    pipeline: String(row.pipeline),
    scope: d.readJson(row.scope),
    scopeKey: String(row.scope_key),
    params: d.readJson(row.params),
    state: row.state as JobState,
    priority: Number(row.priority),
    attemptCount: Number(row.attempt_count),
    spentAttempts: Number(row.spent_attempts),
    maxAttempts: Number(row.max_attempts),
    interruptions: Number(row.interruptions),
    nextRetryAt: d.readTime(row.next_retry_at),
    claimedBy: nullableString(row.claimed_by),
    claimedAt: nullableTime(row.claimed_at, d),
    leaseUntil: nullableTime(row.lease_until, d),
    lastHeartbeatAt: nullableTime(row.last_heartbeat_at, d),
    failure: failureFromRow(row, d),
    parserVersion: nullableString(row.parser_version),
    normalizerVersion: nullableString(row.normalizer_version),
    counters: d.readJson(row.counters),
    forceRepublish: d.readBool(row.force_republish),
    idempotencyKey: nullableString(row.idempotency_key),
    requestFingerprint: nullableString(row.request_fingerprint),
    cancelRequested: d.readBool(row.cancel_requested),
    correlationId: nullableString(row.correlation_id),
    scheduleId: nullableString(row.schedule_id),
    parentJobId: nullableId(row.parent_job_id),
    createdAt: d.readTime(row.created_at),
    updatedAt: d.readTime(row.updated_at),
    finishedAt: nullableTime(row.finished_at, d),
    // Only a claim selects it.
    ...(row.rescued === undefined ? {} : { rescued: Number(row.rescued) === 1 }),
  };
}

export function attemptFromRow(row: Row, d: SqlDialect): JobAttempt {
  return {
    jobId: String(row.job_id),
    attemptNumber: Number(row.attempt_number),
    workerId: String(row.worker_id),
    startedAt: d.readTime(row.started_at),
    finishedAt: nullableTime(row.finished_at, d),
    outcome: (row.outcome ?? null) as AttemptOutcome | null,
    failure: failureFromRow(row, d),
    durationMs: row.duration_ms === null || row.duration_ms === undefined ? null : Number(row.duration_ms),
  };
}

export function transitionFromRow(row: Row, d: SqlDialect): JobStateTransition {
  return {
    jobId: String(row.job_id),
    attemptNumber: Number(row.attempt_number),
    fromState: (row.from_state ?? null) as JobState | null,
    toState: row.to_state as JobState,
    reason: String(row.reason),
    at: d.readTime(row.at),
  };
}

function failureFromRow(row: Row, d: SqlDialect): JobFailure | null {
  if (row.failure_category === null || row.failure_category === undefined) return null;
  return {
    category: row.failure_category as FailureCategory,
    code: String(row.failure_code),
    message: String(row.failure_message),
    retryable: d.readBool(row.failure_retryable),
  };
}

export function nullableString(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  throw new TypeError(`expected text, got ${typeof value}`);
}

/** A bigint id as PostgreSQL (text) or SQLite (number) returns it, as its decimal string. */
export function nullableId(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') return String(value);
  throw new TypeError(`expected an id, got ${typeof value}`);
}

export function nullableTime(value: unknown, d: SqlDialect): Date | null {
  return value === null || value === undefined ? null : d.readTime(value);
}
