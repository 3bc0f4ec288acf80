import { DatabaseUnavailableError } from '../core/database-unavailable.js';
import { decideFailureOutcome, type FailureOutcome } from '../core/failure-outcome.js';
import { NO_METRICS, type AttemptEnd, type IngestMetrics } from '../core/ingest-metrics.js';
import { JobError, storableFailure } from '../core/job-error.js';
import type { CompleteJobInput, JobRepository, SettleResult } from '../core/job-repository.js';
import type { JobFailure } from '../core/job.js';
import { jsonProblem } from '../core/storable-values.js';
import { CompletionBatcher } from './completion-batcher.js';
import type { Execution } from './job-execution.js';
import { retryDelayMs, type RetryPolicy } from './retry-policy.js';

/** Tries of a settle that failed for another reason than an unreachable database (a bug, a constraint). */
const TRIES_FOR_OTHER_ERRORS = 3;
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 2_000;
/**
 * A release runs while the process is stopping, and one that never lands costs the job only an
 * uncharged interruption once its lease expires: it is not worth holding up the exit for long.
 */
const RELEASE_RETRY_WINDOW_MS = 5_000;

export interface JobSettlerOptions {
  repository: JobRepository;
  retryPolicy: RetryPolicy;
  /** [0, 1); the retry jitter. */
  random: () => number;
  /** How long a lease lasts from its last renewal: a settle is retried for as long as it may still be ours. */
  leaseMs: number;
  /** Milliseconds on a monotonic clock, the one `Execution.renewedAt` is read on. */
  monotonicNow: () => number;
  /** A database failure under the job that reaches this many interruptions ends it `exhausted`. */
  maxInterruptions: number;
  /** Sleeps between retries; tests may shorten it. */
  sleep?: (ms: number) => Promise<void>;
  /** Counts each recorded outcome, publication decision and fenced rejection. */
  metrics?: IngestMetrics;
}

/**
 * Records how a job's attempt ended. Every settle is fenced on the execution's lease: a worker
 * that lost it gets `applied: false` and changes nothing. A settle the database could not take is
 * retried, with a capped backoff, for as long as the lease may still be ours (until the lease keeper
 * reports it lost, or a whole lease has passed since its last renewal) when the database was
 * unreachable (DatabaseUnavailableError): an outage shorter than a lease loses no settle, and after
 * it the job is rescued by the next claim, as an interruption that does not spend its attempt
 * budget. Any other error will likely recur (a value the database refuses, a bug): it is retried
 * briefly, then the attempt is recorded as a charged `internal` SETTLE_FAILED failure, so the job
 * ends after its attempts instead of looping through interruptions (docs/adr/0013).
 */
export class JobSettler {
  private readonly completions: CompletionBatcher;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly metrics: IngestMetrics;

  constructor(private readonly options: JobSettlerOptions) {
    this.completions = new CompletionBatcher(options.repository);
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.metrics = options.metrics ?? NO_METRICS;
  }

  /**
   * Successes without a normalized result or follow-ups share a batched statement; the rest settle alone.
   * Counters the databases cannot store fail the attempt (`validation`) instead; the result is then
   * undefined, as it is for a success that did not land.
   */
  async succeed(execution: Execution, input: CompleteJobInput): Promise<SettleResult | undefined> {
    const problem = input.counters === undefined ? undefined : jsonProblem(input.counters);
    if (problem !== undefined) {
      const at = ['counters', ...problem.path].join('.');
      const error = new JobError('validation', 'UNSTORABLE_CONTENT', `the counters the handler returned cannot be stored (${problem.message}) at ${at}`);
      await this.fail(execution, error.toFailure());
      return undefined;
    }
    const { repository } = this.options;
    // Only plain successes share a batch: a normalized result or follow-ups settle in a transaction of their own.
    const plain = input.ingestion === undefined && (input.followUps === undefined || input.followUps.length === 0);
    const settled = await this.settle(
      execution,
      () => (plain ? this.completions.complete(execution.lease, input) : repository.completeJob(execution.lease, input)),
      { fallBack: true },
    );
    if (settled?.applied === true) {
      this.countEnd(execution, 'succeeded');
      if (settled.publication !== undefined) this.metrics.publicationDecided(execution.job.pipeline, settled.publication.decision);
      for (const { pipeline, enqueued, duplicate } of settled.followUps ?? []) {
        if (enqueued > 0) this.metrics.followUps(pipeline, 'enqueued', enqueued);
        if (duplicate > 0) this.metrics.followUps(pipeline, 'duplicate', duplicate);
      }
    }
    return settled;
  }

  /** `minDelayMs`: the source's Retry-After, which the backoff never undercuts. */
  async fail(execution: Execution, failure: JobFailure, minDelayMs = 0): Promise<void> {
    // Messages quote what the job met (a page, a thrown error); both databases must be able to keep them.
    const storable = storableFailure(failure);
    const outcome = this.outcomeOf(execution, storable, minDelayMs);
    const settled = await this.settle(execution, () => this.options.repository.failJob(execution.lease, storable, outcome), { fallBack: true });
    this.logFailed(execution, settled, storable, outcome);
  }

  private outcomeOf(execution: Execution, failure: JobFailure, minDelayMs = 0): FailureOutcome {
    const { job } = execution;
    // An outage backs off on its own count, so a job's early outages do not wait like its late failures.
    const failures = failure.category === 'database' ? job.interruptions : job.spentAttempts;
    return decideFailureOutcome({
      failure,
      spentAttempts: job.spentAttempts,
      maxAttempts: job.maxAttempts,
      interruptions: job.interruptions,
      maxInterruptions: this.options.maxInterruptions,
      retryDelayMs: Math.max(minDelayMs, retryDelayMs(this.options.retryPolicy, failures, this.options.random)),
    });
  }

  private logFailed(execution: Execution, settled: SettleResult | undefined, failure: JobFailure, outcome: FailureOutcome): void {
    if (settled?.applied === true) {
      this.countEnd(execution, outcome.state === 'pending' ? 'retrying' : outcome.state);
      execution.logger.warn(
        {
          failure,
          next_state: outcome.state,
          ...('retryDelayMs' in outcome ? { retry_delay_ms: outcome.retryDelayMs } : {}),
          ...(outcome.state !== 'failed' && outcome.interrupted === true ? { charged: false } : {}),
        },
        'job failed',
      );
    }
  }

  /** The handler stopped because an operator cancelled the job. */
  async cancel(execution: Execution): Promise<void> {
    const settled = await this.settle(execution, () => this.options.repository.cancelRunningJob(execution.lease), { fallBack: true });
    if (settled?.applied === true) {
      this.countEnd(execution, 'cancelled');
      execution.logger.info({}, 'job cancelled while running');
    }
  }

  /** Hands the job back (shutdown) without charging the attempt. */
  async release(execution: Execution): Promise<void> {
    const settled = await this.settle(
      execution,
      () => this.options.repository.releaseJob(execution.lease, 'released_on_shutdown'),
      { giveUpAt: this.options.monotonicNow() + RELEASE_RETRY_WINDOW_MS },
    );
    if (settled?.applied === true) {
      this.countEnd(execution, 'released');
      execution.logger.info({}, 'lease released at shutdown');
    }
  }

  private countEnd(execution: Execution, end: AttemptEnd): void {
    const { startedAt } = execution;
    const seconds = startedAt === undefined ? undefined : (this.options.monotonicNow() - startedAt) / 1000;
    this.metrics.attemptFinished(execution.job.pipeline, end, seconds);
  }

  /**
   * Runs a fenced settle, retrying while the database is unreachable and the lease may still be
   * ours. Retrying is safe: a settle that did commit before its reply was lost makes the retry find
   * the job no longer running under this lease, which changes nothing. With `fallBack`, a settle
   * that failed for another reason records a SETTLE_FAILED failure instead, and yields undefined.
   */
  private async settle(
    execution: Execution,
    attempt: () => Promise<SettleResult>,
    { giveUpAt = Number.POSITIVE_INFINITY, fallBack = false }: { giveUpAt?: number; fallBack?: boolean },
  ): Promise<SettleResult | undefined> {
    for (let tryNumber = 1; ; tryNumber++) {
      try {
        const result = await attempt();
        if (!result.applied) {
          this.metrics.fencedSettleRejected();
          execution.logger.warn(
            {},
            tryNumber === 1
              ? 'settle rejected: this worker no longer holds the lease; nothing was changed'
              : 'settle rejected after retries: the lease was lost, or an earlier try did commit; nothing was changed',
          );
        } else if (tryNumber > 1) {
          execution.logger.info({ tries: tryNumber }, 'settle went through after the database came back');
        }
        return result;
      } catch (error) {
        const delayMs = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (tryNumber - 1));
        // Only an outage is worth waiting out; an error that will recur is retried briefly.
        const outage = error instanceof DatabaseUnavailableError && !error.permanent;
        const worthRetrying = outage || tryNumber < TRIES_FOR_OTHER_ERRORS;
        if (!worthRetrying || !this.mayStillHold(execution, delayMs) || this.options.monotonicNow() + delayMs > giveUpAt) {
          if (!outage && fallBack) {
            await this.recordSettleFailed(execution, error, tryNumber);
            return undefined;
          }
          execution.logger.error(
            { err: error, tries: tryNumber },
            'settling the job failed; once its lease expires the next claim rescues it, without charging an attempt',
          );
          return undefined;
        }
        if (tryNumber === 1) execution.logger.warn({ err: error }, 'settling the job failed; retrying while the lease lasts');
        await this.sleep(delayMs);
      }
    }
  }

  /**
   * One try at recording the attempt as a charged `internal` failure with a plain message, so that a
   * settle that will keep failing ends the job after its attempts rather than in a loop of uncharged
   * interruptions. Only if that fails too is the job left to its lease's expiry.
   */
  private async recordSettleFailed(execution: Execution, error: unknown, tries: number): Promise<void> {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const failure = storableFailure(
      new JobError('internal', 'SETTLE_FAILED', `recording how the attempt ended failed ${tries} times: ${reason}`).toFailure(),
    );
    const outcome = this.outcomeOf(execution, failure);
    try {
      const settled = await this.options.repository.failJob(execution.lease, failure, outcome);
      execution.logger.error({ err: error, tries }, 'settling the job failed; recorded as a SETTLE_FAILED failure instead');
      this.logFailed(execution, settled, failure, outcome);
    } catch (fallbackError) {
      execution.logger.error(
        { err: error, fallback_err: fallbackError, tries },
        'settling the job failed, and so did recording SETTLE_FAILED; once its lease expires the next claim rescues it, without charging an attempt',
      );
    }
  }

  /** Whether the lease can still be ours after waiting `delayMs` (our clock; the database's is what counts). */
  private mayStillHold(execution: Execution, delayMs: number): boolean {
    if (execution.cause === 'lease_lost') return false;
    return this.options.monotonicNow() + delayMs - execution.renewedAt < this.options.leaseMs;
  }
}
