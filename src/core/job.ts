/** The states a job moves through. `failed`, `exhausted`, `succeeded` and `cancelled` are final. */
export const JOB_STATES = ['pending', 'running', 'succeeded', 'failed', 'exhausted', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

export const FINAL_JOB_STATES: readonly JobState[] = ['succeeded', 'failed', 'exhausted', 'cancelled'];
/** States from which an operator may start the job again with a fresh attempt budget. */
export const RETRYABLE_BY_OPERATOR: readonly JobState[] = ['failed', 'exhausted', 'cancelled'];

export const FAILURE_CATEGORIES = [
  'network',
  'timeout',
  'http_status',
  'blocked',
  'parse',
  'validation',
  'lease_lost',
  'cancelled',
  /** The job database failed under the job (an outage): not the job's fault, never charged. */
  'database',
  'internal',
] as const;
export type FailureCategory = (typeof FAILURE_CATEGORIES)[number];

export interface JobFailure {
  category: FailureCategory;
  /** Stable machine-readable code, e.g. `HTTP_404` or `UNKNOWN_PIPELINE`. */
  code: string;
  /** What a person should know to act on it. */
  message: string;
  retryable: boolean;
}

export const ATTEMPT_OUTCOMES = ['succeeded', 'failed', 'lease_expired', 'cancelled', 'released'] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

export type JsonObject = { [key: string]: JsonValue };
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;

export interface Job {
  id: string;
  pipeline: string;
  scope: JsonObject;
  scopeKey: string;
  params: JsonObject;
  state: JobState;
  priority: number;
  /** Attempts started so far; numbers the attempt rows and fences every settle. */
  attemptCount: number;
  /** Attempts charged against `maxAttempts` (a lease released at shutdown is not charged). */
  spentAttempts: number;
  maxAttempts: number;
  /**
   * Times the job was interrupted by something it may not have caused (its lease expired, the
   * database failed under it) since it was enqueued or last retried by an operator. Not charged to
   * `maxAttempts`; a job that reaches the worker's interruption ceiling ends `exhausted`.
   */
  interruptions: number;
  /** When the job is next due (the first run, or the next retry). */
  nextRetryAt: Date;
  claimedBy: string | null;
  claimedAt: Date | null;
  leaseUntil: Date | null;
  lastHeartbeatAt: Date | null;
  failure: JobFailure | null;
  parserVersion: string | null;
  normalizerVersion: string | null;
  counters: JsonObject;
  forceRepublish: boolean;
  idempotencyKey: string | null;
  /** Hash of what an idempotent request asked for, to tell a replay from a different request. */
  requestFingerprint: string | null;
  cancelRequested: boolean;
  correlationId: string | null;
  scheduleId: string | null;
  /** The job whose success declared this one as a follow-up. */
  parentJobId: string | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
  /** Set on a job a claim returns: true when the claim took it over from an expired lease. */
  rescued?: boolean;
}

export interface JobAttempt {
  jobId: string;
  attemptNumber: number;
  workerId: string;
  startedAt: Date;
  finishedAt: Date | null;
  outcome: AttemptOutcome | null;
  failure: JobFailure | null;
  durationMs: number | null;
}

export interface JobStateTransition {
  jobId: string;
  attemptNumber: number;
  fromState: JobState | null;
  toState: JobState;
  reason: string;
  at: Date;
}

export interface JobDetails {
  job: Job;
  attempts: JobAttempt[];
  transitions: JobStateTransition[];
}

/** What a worker holds while it runs a job: every settle is fenced on all three. */
export interface JobLease {
  jobId: string;
  attemptNumber: number;
  workerId: string;
}

export function leaseOf(job: Job): JobLease {
  if (job.claimedBy === null) throw new Error(`job ${job.id} is not claimed`);
  return { jobId: job.id, attemptNumber: job.attemptCount, workerId: job.claimedBy };
}
