import type { FailureOutcome } from './failure-outcome.js';
import type { FollowUpJob, FollowUpOutcome } from './follow-up.js';
import type { IngestionResultInput } from './ingestion-store.js';
import type { PublicationDecision } from './publication-decision.js';
import type { Job, JobDetails, JobFailure, JobLease, JobState, JsonObject } from './job.js';

export interface EnqueueJobInput {
  pipeline: string;
  scope: JsonObject;
  /** Defaults to the canonical JSON of `scope`. */
  scopeKey?: string;
  params?: JsonObject;
  /** Higher runs first. Default 0. */
  priority?: number;
  maxAttempts: number;
  /** Not before this instant; default now (the database's clock). */
  runAt?: Date;
  /** Same key -> the existing job is returned and nothing new is stored. */
  idempotencyKey?: string;
  /** Stored with the job, to compare a later request with the same idempotency key. */
  requestFingerprint?: string;
  forceRepublish?: boolean;
  correlationId?: string;
  scheduleId?: string;
}

export interface EnqueueResult {
  job: Job;
  /** false when an idempotency key matched a job that already existed. */
  created: boolean;
}

export interface ClaimRequest {
  workerId: string;
  /** At most this many jobs; the worker asks only for its free slots. */
  limit: number;
  leaseMs: number;
  /**
   * An expired lease counts as an interruption, not an attempt; the one that reaches this many ends
   * the job `exhausted` (TOO_MANY_INTERRUPTIONS). Default DEFAULT_MAX_INTERRUPTIONS.
   */
  maxInterruptions?: number;
}

export type LeaseStatus = 'renewed' | 'cancel_requested' | 'lost';

export interface LeaseRenewal {
  lease: JobLease;
  /** `lost`: the job is no longer running under this lease (expired and reclaimed, or settled). */
  status: LeaseStatus;
  leaseUntil: Date | null;
}

/** A settle either took effect, or changed nothing because the caller no longer holds the lease. */
export type SettleResult =
  | {
      applied: true;
      state: JobState;
      publication?: PublicationDecision & { version: number | null };
      /** Per follow-up pipeline, when the settle carried follow-ups. */
      followUps?: FollowUpOutcome[];
    }
  | { applied: false; reason: 'lease_lost' };

export interface CompleteJobInput {
  counters?: JsonObject;
  parserVersion?: string;
  normalizerVersion?: string;
  /**
   * Normalized content to record. In the same transaction as the success: the normalized result is
   * upserted, the publication decision taken against the scope's latest publication (serialized per
   * scope), and a publication written when it says so.
   */
  ingestion?: IngestionResultInput;
  /**
   * Jobs to enqueue with the success, in its transaction and after its fence (a settle the fence
   * rejects enqueues none), already checked against their pipelines. Each is stored under
   * `followUpIdempotencyKey(pipeline, key)` unless that key is taken, in which case nothing is stored
   * for it; due at max(runAt, the database's now + delaySeconds); with the parent's correlation id,
   * max_attempts and id (`parentJobId`). The parent's counters get `follow_ups_enqueued`.
   */
  followUps?: FollowUpJob[];
}

export type CancelResult =
  | { ok: true; effect: 'cancelled' | 'cancel_requested'; job: Job }
  | { ok: false; reason: 'not_found' }
  | { ok: false; reason: 'invalid_state'; state: JobState };

export type RetryResult =
  | { ok: true; job: Job }
  | { ok: false; reason: 'not_found' }
  | { ok: false; reason: 'invalid_state'; state: JobState };

export interface ListJobsFilter {
  states?: JobState[];
  pipeline?: string;
  scopeKey?: string;
  createdFrom?: Date;
  /** Exclusive. */
  createdTo?: Date;
}

export interface ListJobsRequest {
  filter: ListJobsFilter;
  limit: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
}

export interface JobPage {
  jobs: Job[];
  /** Present when there may be more jobs after this page. */
  nextCursor: string | null;
}

/** Raised for a list cursor that no page of ours produced. */
export class InvalidCursorError extends Error {
  constructor() {
    super('the cursor is not one this service issued');
    this.name = 'InvalidCursorError';
  }
}

export type Unsubscribe = () => Promise<void>;

/** Jobs of one pipeline in one state, as the queue gauges report them. */
export interface QueueStat {
  pipeline: string;
  state: JobState;
  jobs: number;
  /** For `pending`: how long the longest-waiting job runnable now has been due; null when none is. */
  oldestRunnableAgeMs: number | null;
}

/**
 * A pipeline's limit on its jobs running at once, across every worker (docs/adr/0020). A claim never
 * takes a job of a pipeline that has `maxRunning` jobs running; a pipeline without one has no limit.
 */
export interface PipelineLimit {
  pipeline: string;
  /** A positive integer. */
  maxRunning: number;
  updatedAt: Date;
}

/**
 * Everything the service needs from its job ledger. PostgreSQL and SQLite implement it, and one
 * contract test suite holds both to the same behaviour. All times are the database's clock.
 */
/** One success to settle in a batch: the lease it is fenced on and what the handler reported. */
export interface SuccessSettle {
  lease: JobLease;
  input: CompleteJobInput;
}

export interface JobRepository {
  readonly driver: 'postgres' | 'sqlite';

  enqueueJobs(inputs: EnqueueJobInput[]): Promise<EnqueueResult[]>;

  /**
   * Claims due `pending` jobs and `running` jobs whose lease expired, highest priority first,
   * writing an attempt row and a transition for each. An expired attempt is closed as
   * `lease_expired` and given back: it counts as an interruption, not an attempt. The interruption
   * that reaches `maxInterruptions` ends the job `exhausted` instead of it being claimed.
   * A pipeline with a limit (`setPipelineLimit`) is skipped once it has that many jobs running,
   * counted across all workers and concurrent claims; a rescued job was running already and still
   * counts once. The claim then takes other pipelines' jobs instead.
   */
  claimJobs(request: ClaimRequest): Promise<Job[]>;

  /** The pipeline's limit on jobs running at once, or null when it has none. */
  getPipelineLimit(pipeline: string): Promise<PipelineLimit | null>;
  /**
   * Sets the pipeline's limit to `maxRunning` (a positive integer), or removes it (`null`), and
   * returns what is stored now. Lowering a limit stops no running job: claims wait until fewer run.
   */
  setPipelineLimit(pipeline: string, maxRunning: number | null): Promise<PipelineLimit | null>;

  /** Extends the leases this worker still holds and reports the ones it lost or that must cancel. */
  renewLeases(workerId: string, leases: JobLease[], leaseMs: number): Promise<LeaseRenewal[]>;

  completeJob(lease: JobLease, input: CompleteJobInput): Promise<SettleResult>;
  /**
   * Settles many successes without normalized results or follow-ups in one round trip and one
   * commit. Each is fenced on its own lease; the results are in input order.
   */
  completeJobs(settles: SuccessSettle[]): Promise<SettleResult[]>;
  /**
   * An `interrupted` outcome gives the attempt back and counts an interruption instead; ending
   * `exhausted` that way records TOO_MANY_INTERRUPTIONS on the job (the attempt keeps `failure`).
   */
  failJob(lease: JobLease, failure: JobFailure, outcome: FailureOutcome): Promise<SettleResult>;
  /** The handler stopped because a cancel was requested. */
  cancelRunningJob(lease: JobLease): Promise<SettleResult>;
  /** Gives the job back (shutdown) without charging the attempt. */
  releaseJob(lease: JobLease, reason: string): Promise<SettleResult>;

  /** Pending -> cancelled at once; running -> cancel requested (the worker aborts). */
  cancelJob(jobId: string): Promise<CancelResult>;
  /** Failed, exhausted or cancelled -> pending now, with a fresh attempt budget. */
  retryJob(jobId: string): Promise<RetryResult>;

  /**
   * Jobs per pipeline and state (every state but `succeeded`), in one statement. On PostgreSQL the
   * statement is cancelled after `timeoutMs`; SQLite has no way to stop a statement and runs it whole.
   */
  queueStats(request: { timeoutMs: number }): Promise<QueueStat[]>;

  getJob(jobId: string): Promise<JobDetails | null>;
  listJobs(request: ListJobsRequest): Promise<JobPage>;

  /**
   * Calls `listener` when jobs may have become available (LISTEN/NOTIFY on PostgreSQL). The
   * subscription outlives outages: if the database cannot be reached it is retried in the
   * background, and listeners are called once when it is back, since a wake-up may have been missed.
   */
  onJobsAvailable(listener: () => void): Promise<Unsubscribe>;

  /**
   * Calls `listener` with a job's id when an operator asks to cancel it while it runs, so the worker
   * holding it can stop at once instead of at its next heartbeat; `undefined` means requests may
   * have been missed (the channel was down) and every held job should be checked. A hint only: the
   * worker confirms under its lease fence before it aborts anything.
   */
  onCancelRequested(listener: (jobId: string | undefined) => void): Promise<Unsubscribe>;

  close(): Promise<void>;
}
