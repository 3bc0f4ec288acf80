import { sql } from 'drizzle-orm';
import type { FailureOutcome } from '../../../core/failure-outcome.js';
import type { FollowUpJob, FollowUpOutcome } from '../../../core/follow-up.js';
import { DEFAULT_MAX_INTERRUPTIONS, tooManyInterruptionsFailure } from '../../../core/interruptions.js';
import type {
  CancelResult,
  ClaimRequest,
  CompleteJobInput,
  EnqueueJobInput,
  EnqueueResult,
  JobPage,
  JobRepository,
  LeaseRenewal,
  ListJobsRequest,
  QueueStat,
  PipelineLimit,
  RetryResult,
  SettleResult,
  SuccessSettle,
  Unsubscribe,
} from '../../../core/job-repository.js';
import type { Job, JobDetails, JobFailure, JobLease } from '../../../core/job.js';
import { isJobId } from './job-cursor.js';
import { validateEnqueueInput, validateFollowUps } from './validate-enqueue-input.js';
import { cancelJob } from './queries/cancel-job.js';
import { getJob } from './queries/get-job.js';
import { getPipelineLimit } from './queries/get-pipeline-limit.js';
import { removePipelineLimit } from './queries/remove-pipeline-limit.js';
import { setPipelineLimit } from './queries/set-pipeline-limit.js';
import { insertJobs } from './queries/insert-jobs.js';
import { listJobs } from './queries/list-jobs.js';
import { queueStatFromRow } from './queries/queue-stats.js';
import type { Row } from './job-rows.js';
import { renewLeases } from './queries/renew-leases.js';
import { retryJob } from './queries/retry-job.js';
import { lockPublicationScope } from './queries/lock-publication-scope.js';
import { recordIngestionResult } from './queries/record-ingestion-result.js';
import { jobFailureAssignments, settleJob } from './queries/settle-job.js';
import type { SqlDatabase, SqlSession } from './sql-database.js';
import type { SqlDialect } from './sql-dialect.js';

/** What each adapter supplies beyond the portable queries: the parts its database does differently. */
export interface DialectSpecifics {
  /** Enqueue in one statement (insert, transitions, announcement), where the dialect can. */
  insertJobs?(inputs: EnqueueJobInput[]): Promise<EnqueueResult[]>;
  claimJobs(request: ClaimRequest): Promise<Job[]>;
  /** One-statement success settles for jobs without a normalized result, where the dialect has them. */
  completePlainJobs?(settles: SuccessSettle[]): Promise<SettleResult[]>;
  /**
   * Inserts a success's follow-ups inside its settle's transaction (docs/adr/0023): each stored
   * once per namespaced key, with its `enqueued` transition, the parent's count in its counters.
   * Returns the new jobs per pipeline.
   */
  insertFollowUps(session: SqlSession, parentJobId: string, followUps: FollowUpJob[]): Promise<Map<string, number>>;
  /** Tells waiting workers, from inside the transaction that made jobs due, that there is work. */
  announceJobs(session: SqlSession): Promise<void>;
  /** Tells change-feed readers, from inside the transaction that wrote outbox events, to read again. */
  announceOutboxEvents(session: SqlSession): Promise<void>;
  /** Tells the worker holding a running job, from inside the transaction that flagged it, that it must cancel. */
  announceCancelRequested(session: SqlSession, jobId: string): Promise<void>;
  onJobsAvailable(listener: () => void): Promise<Unsubscribe>;
  onCancelRequested(listener: (jobId: string | undefined) => void): Promise<Unsubscribe>;
  /** Runs queries/queue-stats.ts, under `timeoutMs` where the database can stop a statement. */
  queueStats(timeoutMs: number): Promise<Row[]>;
  close?(): Promise<void>;
}

/**
 * The job repository both adapters share. Every query that reads the same in both dialects lives
 * here once; each adapter passes in its dialect and the few operations it must do its own way.
 */
export class SqlJobRepository implements JobRepository {
  readonly driver: 'postgres' | 'sqlite';

  constructor(
    private readonly db: SqlDatabase,
    private readonly d: SqlDialect,
    private readonly specifics: DialectSpecifics,
  ) {
    this.driver = d.name;
  }

  async enqueueJobs(inputs: EnqueueJobInput[]): Promise<EnqueueResult[]> {
    if (inputs.length === 0) return [];
    inputs.forEach(validateEnqueueInput);
    if (this.specifics.insertJobs !== undefined) return this.specifics.insertJobs(inputs);
    return this.db.transaction(async (s) => {
      const inserted = await insertJobs(s, this.d, inputs);
      if (inserted.some((r) => r.created)) await this.specifics.announceJobs(s);
      return inserted;
    });
  }

  claimJobs(request: ClaimRequest): Promise<Job[]> {
    if (request.limit <= 0) return Promise.resolve([]);
    return this.specifics.claimJobs(request);
  }

  getPipelineLimit(pipeline: string): Promise<PipelineLimit | null> {
    return this.db.transaction((s) => getPipelineLimit(s, this.d, pipeline));
  }

  setPipelineLimit(pipeline: string, maxRunning: number | null): Promise<PipelineLimit | null> {
    if (maxRunning !== null && !(Number.isSafeInteger(maxRunning) && maxRunning > 0 && maxRunning <= 2_147_483_647)) {
      return Promise.reject(new RangeError(`max_running must be a positive 32-bit integer or null, not ${maxRunning}`));
    }
    return this.db.transaction(async (s) => {
      if (maxRunning !== null) return setPipelineLimit(s, this.d, pipeline, maxRunning);
      await removePipelineLimit(s, pipeline);
      return null;
    });
  }

  renewLeases(workerId: string, leases: JobLease[], leaseMs: number): Promise<LeaseRenewal[]> {
    if (leases.length === 0) return Promise.resolve([]);
    return this.db.transaction((s) => renewLeases(s, this.d, workerId, leases, leaseMs));
  }

  async completeJob(lease: JobLease, input: CompleteJobInput): Promise<SettleResult> {
    if (input.followUps !== undefined) validateFollowUps(input.followUps);
    if (isPlainSuccess(input) && this.specifics.completePlainJobs !== undefined) {
      return this.specifics.completePlainJobs([{ lease, input }]).then(([result]) => result ?? { applied: false, reason: 'lease_lost' });
    }
    return this.db.transaction((s) => this.completeIn(s, lease, input));
  }

  completeJobs(settles: SuccessSettle[]): Promise<SettleResult[]> {
    if (settles.length === 0) return Promise.resolve([]);
    if (!settles.every((s) => isPlainSuccess(s.input))) {
      throw new RangeError('completeJobs settles jobs without a normalized result or follow-ups; use completeJob for those with one');
    }
    if (this.specifics.completePlainJobs !== undefined) return this.specifics.completePlainJobs(settles);
    return this.db.transaction(async (s) => {
      const results: SettleResult[] = [];
      for (const { lease, input } of settles) results.push(await this.completeIn(s, lease, input));
      return results;
    });
  }

  private async completeIn(s: SqlSession, lease: JobLease, input: CompleteJobInput): Promise<SettleResult> {
    // Before the first write (ADR 27): the outbox orders a scope's publications by transaction id.
    if (input.ingestion !== undefined) await lockPublicationScope(s, this.d, lease.jobId);
    const settled = await settleJob(s, this.d, lease, {
      toState: 'succeeded',
      attemptOutcome: 'succeeded',
      failure: null,
      reason: 'succeeded',
      jobAssignments: [
        sql`finished_at = ${s.now}`,
        sql`cancel_requested = ${this.d.bool(false)}`,
        ...jobFailureAssignments(this.d, null),
        ...(input.counters === undefined ? [] : [sql`counters = ${this.d.json(input.counters)}`]),
        ...(input.parserVersion === undefined ? [] : [sql`parser_version = ${input.parserVersion}`]),
        ...(input.normalizerVersion === undefined ? [] : [sql`normalizer_version = ${input.normalizerVersion}`]),
      ],
    });
    // The fence came first: a worker that lost its lease records nothing and publishes nothing.
    if (!settled.applied) return publicSettleResult(settled);
    const publication = input.ingestion === undefined ? undefined : await recordIngestionResult(s, this.d, lease, settled.job, input.ingestion);
    if (publication !== undefined && publication.version !== null) await this.specifics.announceOutboxEvents(s);
    const followUps = input.followUps === undefined || input.followUps.length === 0 ? undefined : await this.enqueueFollowUps(s, lease, input.followUps);
    return {
      applied: true,
      state: settled.state,
      ...(publication === undefined ? {} : { publication }),
      ...(followUps === undefined ? {} : { followUps }),
    };
  }

  /** Beside the publication, in the same transaction: the follow-ups the success declared. */
  private async enqueueFollowUps(s: SqlSession, lease: JobLease, followUps: FollowUpJob[]): Promise<FollowUpOutcome[]> {
    const enqueued = await this.specifics.insertFollowUps(s, lease.jobId, followUps);
    if ([...enqueued.values()].some((n) => n > 0)) await this.specifics.announceJobs(s);
    const declared = new Map<string, number>();
    for (const f of followUps) declared.set(f.pipeline, (declared.get(f.pipeline) ?? 0) + 1);
    return [...declared].map(([pipeline, count]) => {
      const created = enqueued.get(pipeline) ?? 0;
      return { pipeline, enqueued: created, duplicate: count - created };
    });
  }

  failJob(lease: JobLease, failure: JobFailure, outcome: FailureOutcome): Promise<SettleResult> {
    const interrupted = outcome.state !== 'failed' && outcome.interrupted === true;
    return this.db.transaction((s) =>
      settleJob(s, this.d, lease, {
        toState: outcome.state,
        attemptOutcome: 'failed',
        failure,
        reason: outcome.state === 'pending' ? 'retry_scheduled' : outcome.state,
        jobAssignments: [
          ...jobFailureAssignments(this.d, interrupted && outcome.state === 'exhausted' ? tooManyInterruptionsFailure(outcome.interruptions ?? DEFAULT_MAX_INTERRUPTIONS) : failure),
          outcome.state === 'pending'
            ? sql`next_retry_at = ${this.d.addMs(s.now, outcome.retryDelayMs)}`
            : sql`finished_at = ${s.now}`,
          // The infrastructure's fault, not the job's: the attempt is given back, the interruption counted.
          ...(interrupted ? [sql`spent_attempts = spent_attempts - 1`, sql`interruptions = interruptions + 1`] : []),
        ],
      }).then(publicSettleResult),
    );
  }

  cancelRunningJob(lease: JobLease): Promise<SettleResult> {
    const failure: JobFailure = {
      category: 'cancelled',
      code: 'CANCELLED_WHILE_RUNNING',
      message: 'cancelled by an operator while it ran; the handler was aborted',
      retryable: false,
    };
    return this.db.transaction((s) =>
      settleJob(s, this.d, lease, {
        toState: 'cancelled',
        attemptOutcome: 'cancelled',
        failure,
        reason: 'cancelled_by_operator',
        jobAssignments: [sql`finished_at = ${s.now}`, ...jobFailureAssignments(this.d, failure)],
      }).then(publicSettleResult),
    );
  }

  releaseJob(lease: JobLease, reason: string): Promise<SettleResult> {
    return this.db.transaction((s) =>
      settleJob(s, this.d, lease, {
        toState: 'pending',
        attemptOutcome: 'released',
        failure: null,
        reason,
        // Not the job's fault: the attempt is given back.
        jobAssignments: [sql`next_retry_at = ${s.now}`, sql`spent_attempts = spent_attempts - 1`],
      }).then(publicSettleResult),
    );
  }

  cancelJob(jobId: string): Promise<CancelResult> {
    if (!isJobId(jobId)) return Promise.resolve({ ok: false, reason: 'not_found' });
    return this.db.transaction(async (s) => {
      const result = await cancelJob(s, this.d, jobId);
      if (result.ok && result.effect === 'cancel_requested') await this.specifics.announceCancelRequested(s, result.job.id);
      return result;
    });
  }

  retryJob(jobId: string): Promise<RetryResult> {
    if (!isJobId(jobId)) return Promise.resolve({ ok: false, reason: 'not_found' });
    return this.db.transaction(async (s) => {
      const result = await retryJob(s, this.d, jobId);
      if (result.ok) await this.specifics.announceJobs(s);
      return result;
    });
  }

  getJob(jobId: string): Promise<JobDetails | null> {
    if (!isJobId(jobId)) return Promise.resolve(null);
    return this.db.transaction((s) => getJob(s, this.d, jobId));
  }

  async queueStats({ timeoutMs }: { timeoutMs: number }): Promise<QueueStat[]> {
    const rows = await this.specifics.queueStats(timeoutMs);
    return rows.map(queueStatFromRow);
  }

  listJobs(request: ListJobsRequest): Promise<JobPage> {
    return this.db.transaction((s) => listJobs(s, this.d, request));
  }

  onJobsAvailable(listener: () => void): Promise<Unsubscribe> {
    return this.specifics.onJobsAvailable(listener);
  }

  onCancelRequested(listener: (jobId: string | undefined) => void): Promise<Unsubscribe> {
    return this.specifics.onCancelRequested(listener);
  }

  async close(): Promise<void> {
    await this.specifics.close?.();
    await this.db.close();
  }
}

/** A success with neither a normalized result nor follow-ups: the kind a batched settle takes. */
function isPlainSuccess(input: CompleteJobInput): boolean {
  return input.ingestion === undefined && (input.followUps === undefined || input.followUps.length === 0);
}

/** What callers see of a settle: whether it applied, not the row it touched. */
function publicSettleResult(settled: Awaited<ReturnType<typeof settleJob>>): SettleResult {
  return settled.applied ? { applied: true, state: settled.state } : { applied: false, reason: settled.reason };
}
