import { failureFromError, JobError } from '../core/job-error.js';
import { decideFailureOutcome } from '../core/failure-outcome.js';
import type { CompleteJobInput, JobRepository, SettleResult, Unsubscribe } from '../core/job-repository.js';
import { leaseOf, type Job, type JobFailure, type JobLease } from '../core/job.js';
import type { HandlerRegistry } from './handler-registry.js';
import type { JobHandlerResult, JobLogger } from './job-handler.js';
import { retryDelayMs, type RetryPolicy } from './retry-policy.js';

export interface WorkerOptions {
  repository: JobRepository;
  handlers: HandlerRegistry;
  workerId: string;
  /** Jobs run at once; the worker claims only for free slots. */
  concurrency: number;
  /**
   * The most jobs one claim takes (default: `concurrency`). Above `concurrency`, the surplus waits
   * in a local queue, its leases renewed like running jobs, until a slot frees: fewer, larger claims
   * for short jobs, at the cost of holding jobs another worker could have started.
   */
  claimBatchSize?: number;
  leaseMs: number;
  heartbeatIntervalMs: number;
  /** How often an idle worker looks for due jobs when no notification arrives. */
  pollIntervalMs: number;
  retryPolicy: RetryPolicy;
  logger: JobLogger;
  /** [0, 1); injected so tests can pin the jitter. */
  random?: () => number;
  /** Milliseconds on a monotonic clock; used only to notice that renewals stopped succeeding. */
  monotonicNow?: () => number;
}

type AbortCause = 'lease_lost' | 'cancelled' | 'shutdown';

interface Execution {
  job: Job;
  /** False while the job waits in the local queue for a slot. */
  started: boolean;
  /** True from start until the handler is done (or, for anything but a batched success, until settled). */
  slotHeld: boolean;
  lease: JobLease;
  logger: JobLogger;
  /** Made when the handler first reads its signal: most short jobs never do. */
  controller: AbortController | undefined;
  abortReason: JobError | undefined;
  cause: AbortCause | undefined;
  /** Monotonic time the last successful renewal was sent (or the claim, at first). */
  renewedAt: number;
  /** Set once the lease was handed back at shutdown, so nothing settles it again. */
  released: boolean;
  done: Promise<void>;
}

const SETTLE_TRIES = 3;
const MAX_COMPLETION_BATCH = 500;
const MAX_FLUSHES_IN_FLIGHT = 2;

/**
 * Claims jobs for free slots (or, with `claimBatchSize` above `concurrency`, in batches kept in a
 * local queue), runs their handlers, keeps their leases alive and settles each outcome. Shutdown
 * stops claiming, hands queued jobs back, lets running jobs finish until a deadline, then aborts the
 * rest and hands their leases back without charging the attempt.
 */
export class Worker {
  /** Every job this worker holds a lease on: running, or waiting in the local queue. */
  private readonly held = new Map<string, Execution>();
  private readonly waiting: Execution[] = [];
  private runningCount = 0;
  private readonly claimBatchSize: number;
  private readonly random: () => number;
  private readonly monotonicNow: () => number;
  private status: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  private loopDone: Promise<void> = Promise.resolve();
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private heartbeatInFlight: Promise<void> | undefined;
  private unsubscribe: Unsubscribe | undefined;
  private wake: (() => void) | undefined;
  private nudged = false;
  private mayHaveMore = true;
  private stopping: Promise<void> | undefined;
  private readonly completions: {
    lease: JobLease;
    input: CompleteJobInput;
    resolve: (result: SettleResult) => void;
    reject: (error: unknown) => void;
  }[] = [];
  private flushScheduled = false;
  private flushesInFlight = 0;

  constructor(private readonly options: WorkerOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) throw new RangeError('concurrency must be a positive integer');
    const claimBatchSize = options.claimBatchSize ?? options.concurrency;
    if (!Number.isInteger(claimBatchSize) || claimBatchSize < 1) throw new RangeError('claimBatchSize must be a positive integer');
    this.claimBatchSize = claimBatchSize;
    this.random = options.random ?? Math.random;
    this.monotonicNow = options.monotonicNow ?? (() => performance.now());
  }

  get workerId(): string {
    return this.options.workerId;
  }

  /** Jobs this worker is running now. */
  get inFlight(): number {
    return this.runningCount;
  }

  get isDraining(): boolean {
    return this.status === 'stopping';
  }

  async start(): Promise<void> {
    if (this.status !== 'new') throw new Error('a worker starts once');
    this.status = 'running';
    try {
      this.unsubscribe = await this.options.repository.onJobsAvailable(() => this.nudge('jobs'));
    } catch (error) {
      // Polling still finds every job; a missing wake-up channel only costs latency.
      this.options.logger.warn({ err: error, worker_id: this.workerId }, 'job notifications unavailable; polling only');
    }
    this.heartbeatTimer = setInterval(() => this.beat(), this.options.heartbeatIntervalMs);
    this.loopDone = this.claimLoop();
    this.options.logger.info(
      { worker_id: this.workerId, concurrency: this.options.concurrency, pipelines: this.options.handlers.pipelines() },
      'worker started',
    );
  }

  /**
   * Stops claiming, waits up to `drainTimeoutMs` for running jobs, then aborts what is left and
   * releases its leases. Safe to call more than once.
   */
  stop(drainTimeoutMs: number): Promise<void> {
    this.stopping ??= this.shutdown(drainTimeoutMs);
    return this.stopping;
  }

  private async shutdown(drainTimeoutMs: number): Promise<void> {
    if (this.status === 'new') {
      this.status = 'stopped';
      return;
    }
    this.status = 'stopping';
    this.options.logger.info({ worker_id: this.workerId, in_flight: this.runningCount, queued: this.waiting.length }, 'worker draining');
    this.wakeLoop();
    await this.loopDone;
    // Jobs that never started go back at once, uncharged, for other workers to take.
    await Promise.all(this.waiting.splice(0).map((execution) => this.release(execution).finally(() => this.forget(execution))));

    let deadline: NodeJS.Timeout | undefined;
    const drained = Promise.all([...this.held.values()].map((e) => e.done));
    const timedOut = new Promise<'timeout'>((resolve) => {
      deadline = setTimeout(() => resolve('timeout'), drainTimeoutMs);
    });
    const outcome = await Promise.race([drained.then(() => 'drained' as const), timedOut]);
    clearTimeout(deadline);

    if (outcome === 'timeout') {
      const left = [...this.held.values()];
      this.options.logger.warn({ worker_id: this.workerId, jobs: left.map((e) => e.job.id) }, 'drain deadline passed; releasing leases');
      await Promise.all(left.map((execution) => this.release(execution)));
    }
    clearInterval(this.heartbeatTimer);
    await this.heartbeatInFlight;
    await this.unsubscribe?.().catch(() => undefined);
    this.status = 'stopped';
    this.options.logger.info({ worker_id: this.workerId }, 'worker stopped');
  }

  private async claimLoop(): Promise<void> {
    const { repository, leaseMs, pollIntervalMs, workerId, logger } = this.options;
    while (this.status === 'running') {
      const limit = this.claimLimit();
      if (limit > 0) {
        this.mayHaveMore = false;
        let claimed: Job[];
        try {
          claimed = await repository.claimJobs({ workerId, limit, leaseMs });
        } catch (error) {
          logger.error({ err: error, worker_id: workerId }, 'claiming jobs failed; retrying after the poll interval');
          await this.waitForWork(pollIntervalMs);
          continue;
        }
        for (const job of claimed) this.hold(job);
        this.startWaiting();
        if (claimed.length === limit) this.mayHaveMore = true;
        if (this.mayHaveMore && this.claimLimit() > 0) continue;
      }
      await this.waitForWork(pollIntervalMs);
    }
  }

  /**
   * How many jobs to claim now. Without a local queue: one per free slot. With one: nothing until
   * the queue is half empty, then enough to fill it, so claims stay large and overlap running jobs.
   */
  private claimLimit(): number {
    const { concurrency } = this.options;
    // Back-pressure: do not take more while the settles of a full batch are still in flight.
    const settling = this.held.size - this.waiting.length - this.runningCount;
    if (settling >= Math.max(this.claimBatchSize, concurrency)) return 0;
    if (this.claimBatchSize <= concurrency) return concurrency - this.runningCount - this.waiting.length;
    if (this.waiting.length > this.claimBatchSize / 2) return 0;
    return this.claimBatchSize - this.waiting.length;
  }

  private hold(job: Job): void {
    const lease = leaseOf(job);
    const execution: Execution = {
      job,
      started: false,
      slotHeld: false,
      lease,
      logger: this.options.logger.child({
        job_id: job.id,
        attempt: job.attemptCount,
        pipeline: job.pipeline,
        worker_id: this.workerId,
      }),
      controller: undefined,
      abortReason: undefined,
      cause: undefined,
      renewedAt: this.monotonicNow(),
      released: false,
      done: Promise.resolve(),
    };
    // Claimed again after our own lease on it expired: the older run is no longer ours.
    const stale = this.held.get(job.id);
    if (stale !== undefined) this.abort(stale, 'lease_lost');
    this.held.set(job.id, execution);
    this.waiting.push(execution);
  }

  private startWaiting(): void {
    while (this.runningCount < this.options.concurrency && this.status === 'running') {
      const execution = this.waiting.shift();
      if (execution === undefined) return;
      this.begin(execution);
    }
  }

  private begin(execution: Execution): void {
    execution.started = true;
    execution.slotHeld = true;
    this.runningCount++;
    execution.done = this.run(execution).finally(() => {
      this.freeSlot(execution);
      this.forget(execution);
      this.nudge('slot');
    });
  }

  /**
   * A slot is for running a handler. A success waiting for its batched settle gives its slot up, so
   * the next job starts and the settles of many jobs pile up into one statement; the lease is still
   * held (and renewed) until the settle lands.
   */
  private freeSlot(execution: Execution): void {
    if (!execution.slotHeld) return;
    execution.slotHeld = false;
    this.runningCount--;
    this.startWaiting();
    this.nudge('slot');
  }

  private forget(execution: Execution): void {
    if (this.held.get(execution.job.id) === execution) this.held.delete(execution.job.id);
  }

  /** A queued job that will not run here: hand it back, settle its cancel, or let it go. */
  private unqueue(execution: Execution): void {
    const index = this.waiting.indexOf(execution);
    if (index !== -1) this.waiting.splice(index, 1);
    const settled = execution.cause === 'cancelled' ? this.settleAborted(execution) : Promise.resolve();
    execution.done = settled.finally(() => this.forget(execution));
  }

  /** Never rejects: every outcome is settled or logged. */
  private async run(execution: Execution): Promise<void> {
    const { job, logger } = execution;
    const startedAt = this.monotonicNow();
    const handler = this.options.handlers.get(job.pipeline);
    logger.info({ scope_key: job.scopeKey }, 'job started');
    if (handler === undefined) {
      const failure = new JobError(
        'validation',
        'UNKNOWN_PIPELINE',
        `no handler is registered for pipeline "${job.pipeline}" (registered: ${this.options.handlers.pipelines().join(', ') || 'none'})`,
        { retryable: false },
      ).toFailure();
      await this.settleFailure(execution, failure);
      return;
    }

    let result: JobHandlerResult;
    try {
      result = await handler.run({
        job,
        logger,
        get signal() {
          return signalOf(execution);
        },
      });
    } catch (error) {
      if (execution.cause !== undefined) {
        await this.settleAborted(execution);
        return;
      }
      await this.settleFailure(execution, failureFromError(error), error instanceof JobError ? error.retryAfterMs : undefined);
      return;
    }
    if (execution.released) return;
    const input = result ?? {};
    const batched = input.ingestion === undefined;
    if (batched) this.freeSlot(execution);
    const settled = await this.settle(execution, () =>
      batched ? this.completeInBatch(execution.lease, input) : this.options.repository.completeJob(execution.lease, input),
    );
    if (settled?.applied === true) {
      const publication = settled.publication;
      logger.info(
        {
          duration_ms: Math.round(this.monotonicNow() - startedAt),
          ...(publication === undefined ? {} : { decision: publication.decision, classification: publication.classification, version: publication.version }),
        },
        'job succeeded',
      );
    }
  }

  /** `minDelayMs`: the source's Retry-After, which the backoff never undercuts. */
  private async settleFailure(execution: Execution, failure: JobFailure, minDelayMs = 0): Promise<void> {
    if (execution.released) return;
    const { job } = execution;
    const outcome = decideFailureOutcome({
      failure,
      spentAttempts: job.spentAttempts,
      maxAttempts: job.maxAttempts,
      retryDelayMs: Math.max(minDelayMs, retryDelayMs(this.options.retryPolicy, job.spentAttempts, this.random)),
    });
    const settled = await this.settle(execution, () => this.options.repository.failJob(execution.lease, failure, outcome));
    if (settled?.applied === true) {
      execution.logger.warn({ failure, next_state: outcome.state, ...('retryDelayMs' in outcome ? { retry_delay_ms: outcome.retryDelayMs } : {}) }, 'job failed');
    }
  }

  private async settleAborted(execution: Execution): Promise<void> {
    switch (execution.cause) {
      case 'cancelled': {
        const settled = await this.settle(execution, () => this.options.repository.cancelRunningJob(execution.lease));
        if (settled?.applied === true) execution.logger.info({}, 'job cancelled while running');
        return;
      }
      case 'shutdown':
        await this.release(execution);
        return;
      default:
        execution.logger.warn({}, 'handler stopped after its lease was lost; another worker owns the job now');
    }
  }

  /** Hands the job back at shutdown; the attempt is not charged. */
  private async release(execution: Execution): Promise<void> {
    if (execution.released) return;
    execution.released = true;
    this.abort(execution, 'shutdown');
    const settled = await this.settle(execution, () =>
      this.options.repository.releaseJob(execution.lease, 'released_on_shutdown'),
    );
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

  /**
   * Successes without a normalized result are settled together: those finishing in the same turn
   * of the event loop (and while up to two earlier batches are in flight) share one statement and
   * one commit. Each is still fenced on its own lease.
   */
  private completeInBatch(lease: JobLease, input: CompleteJobInput): Promise<SettleResult> {
    return new Promise((resolve, reject) => {
      this.completions.push({ lease, input, resolve, reject });
      this.scheduleCompletionFlush();
    });
  }

  private scheduleCompletionFlush(): void {
    if (this.flushScheduled || this.flushesInFlight >= MAX_FLUSHES_IN_FLIGHT || this.completions.length === 0) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const batch = this.completions.splice(0, MAX_COMPLETION_BATCH);
      if (batch.length === 0) return;
      this.flushesInFlight++;
      void this.options.repository
        .completeJobs(batch.map(({ lease, input }) => ({ lease, input })))
        .then(
          (results) => batch.forEach((item, index) => item.resolve(results[index] ?? { applied: false, reason: 'lease_lost' })),
          (error: unknown) => batch.forEach((item) => item.reject(error)),
        )
        .finally(() => {
          this.flushesInFlight--;
          this.scheduleCompletionFlush();
        });
    });
  }

  private beat(): void {
    if (this.heartbeatInFlight !== undefined || this.held.size === 0) return;
    this.heartbeatInFlight = this.renewLeases().finally(() => {
      this.heartbeatInFlight = undefined;
    });
  }

  private async renewLeases(): Promise<void> {
    const executions = [...this.held.values()].filter((e) => e.cause === undefined);
    if (executions.length === 0) return;
    const sentAt = this.monotonicNow();
    try {
      const renewals = await this.options.repository.renewLeases(
        this.workerId,
        executions.map((e) => e.lease),
        this.options.leaseMs,
      );
      for (const renewal of renewals) {
        const execution = this.held.get(renewal.lease.jobId);
        if (execution?.lease.attemptNumber !== renewal.lease.attemptNumber) continue;
        if (renewal.status === 'lost') {
          this.abort(execution, 'lease_lost');
          continue;
        }
        execution.renewedAt = sentAt;
        if (renewal.status === 'cancel_requested') this.abort(execution, 'cancelled');
      }
    } catch (error) {
      this.options.logger.warn({ err: error, worker_id: this.workerId }, 'renewing leases failed');
    }
    // A lease we could not renew in time may already belong to someone else: stop working on it.
    const now = this.monotonicNow();
    for (const execution of executions) {
      if (execution.cause === undefined && now - execution.renewedAt > this.options.leaseMs) this.abort(execution, 'lease_lost');
    }
  }

  private abort(execution: Execution, cause: AbortCause): void {
    if (execution.cause !== undefined) return;
    execution.cause = cause;
    const reason =
      cause === 'cancelled'
        ? new JobError('cancelled', 'CANCEL_REQUESTED', 'an operator cancelled the job')
        : cause === 'lease_lost'
          ? new JobError('lease_lost', 'LEASE_LOST', 'this worker lost the lease; another worker may run the job')
          : new JobError('cancelled', 'WORKER_SHUTDOWN', 'the worker is shutting down; the job will run again elsewhere', { retryable: true });
    if (!execution.started) {
      // Shutdown releases queued jobs itself; the other causes are settled (or dropped) here.
      if (cause !== 'shutdown') this.unqueue(execution);
      return;
    }
    if (cause !== 'shutdown') execution.logger.warn({ cause }, 'aborting handler');
    execution.abortReason = reason;
    execution.controller?.abort(reason);
  }

  private nudge(kind: 'jobs' | 'slot'): void {
    if (kind === 'jobs') this.mayHaveMore = true;
    else if (!this.mayHaveMore) return;
    this.wakeLoop();
  }

  private wakeLoop(): void {
    if (this.wake !== undefined) this.wake();
    else this.nudged = true;
  }

  private waitForWork(timeoutMs: number): Promise<void> {
    if (this.nudged || this.status !== 'running') {
      this.nudged = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, timeoutMs);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }
}

function signalOf(execution: Execution): AbortSignal {
  if (execution.controller === undefined) {
    execution.controller = new AbortController();
    if (execution.abortReason !== undefined) execution.controller.abort(execution.abortReason);
  }
  return execution.controller.signal;
}
