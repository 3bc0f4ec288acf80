import { decideFailureOutcome } from '../core/failure-outcome.js';
import type { CompleteJobInput, JobRepository, SettleResult } from '../core/job-repository.js';
import type { JobFailure } from '../core/job.js';
import { CompletionBatcher } from './completion-batcher.js';
import type { Execution } from './job-execution.js';
import { retryDelayMs, type RetryPolicy } from './retry-policy.js';

const SETTLE_TRIES = 3;

export interface JobSettlerOptions {
  repository: JobRepository;
  retryPolicy: RetryPolicy;
  /** [0, 1); the retry jitter. */
  random: () => number;
}

/**
 * Records how a job's attempt ended. Every settle is fenced on the execution's lease: a worker
 * that lost it gets `applied: false` and changes nothing. A settle the database could not take is
 * retried briefly; after that the lease expires and the job runs again elsewhere.
 */
export class JobSettler {
  private readonly completions: CompletionBatcher;

  constructor(private readonly options: JobSettlerOptions) {
    this.completions = new CompletionBatcher(options.repository);
  }

  /** Successes without a normalized result share a batched statement; the rest settle alone. */
  succeed(execution: Execution, input: CompleteJobInput): Promise<SettleResult | undefined> {
    const { repository } = this.options;
    return this.settle(execution, () =>
      input.ingestion === undefined ? this.completions.complete(execution.lease, input) : repository.completeJob(execution.lease, input),
    );
  }

  /** `minDelayMs`: the source's Retry-After, which the backoff never undercuts. */
  async fail(execution: Execution, failure: JobFailure, minDelayMs = 0): Promise<void> {
    const { job } = execution;
    const outcome = decideFailureOutcome({
      failure,
      spentAttempts: job.spentAttempts,
      maxAttempts: job.maxAttempts,
      retryDelayMs: Math.max(minDelayMs, retryDelayMs(this.options.retryPolicy, job.spentAttempts, this.options.random)),
    });
    const settled = await this.settle(execution, () => this.options.repository.failJob(execution.lease, failure, outcome));
    if (settled?.applied === true) {
      execution.logger.warn({ failure, next_state: outcome.state, ...('retryDelayMs' in outcome ? { retry_delay_ms: outcome.retryDelayMs } : {}) }, 'job failed');
    }
  }

  /** The handler stopped because an operator cancelled the job. */
  async cancel(execution: Execution): Promise<void> {
    const settled = await this.settle(execution, () => this.options.repository.cancelRunningJob(execution.lease));
    if (settled?.applied === true) execution.logger.info({}, 'job cancelled while running');
  }

  /** Hands the job back (shutdown) without charging the attempt. */
  async release(execution: Execution): Promise<void> {
    const settled = await this.settle(execution, () => this.options.repository.releaseJob(execution.lease, 'released_on_shutdown'));
    if (settled?.applied === true) execution.logger.info({}, 'lease released at shutdown');
  }

  /** Runs a fenced settle, retrying briefly when the database is unreachable. */
  private async settle(execution: Execution, attempt: () => Promise<SettleResult>): Promise<SettleResult | undefined> {
    for (let tryNumber = 1; ; tryNumber++) {
      try {
        const result = await attempt();
        if (!result.applied) execution.logger.warn({}, 'settle rejected: this worker no longer holds the lease; nothing was changed');
        return result;
      } catch (error) {
        if (tryNumber >= SETTLE_TRIES) {
          execution.logger.error({ err: error }, 'settling the job failed; its lease will expire and it will be retried');
          return undefined;
        }
        await new Promise((resolve) => setTimeout(resolve, 200 * tryNumber));
      }
    }
  }
}
