import { DEFAULT_MAX_INTERRUPTIONS } from '../core/interruptions.js';
import { failureFromError, JobError } from '../core/job-error.js';
import type { Unsubscribe } from '../core/job-repository.js';
import type { Job, JobFailure } from '../core/job.js';
import { DatabaseAvailability } from './database-availability.js';
import type { JobHandlerResult } from './job-handler.js';
import { abortReason, newExecution, signalOf, timeoutFailure, type AbortCause, type Execution } from './job-execution.js';
import { JobSettler } from './job-settler.js';
import { LeaseKeeper } from './lease-keeper.js';
import { RunBound } from './run-bound.js';
import { runWithinDeadline } from './run-within-deadline.js';
import { WakeSignal } from './wake-signal.js';
import { subscribeWorkerSignals } from './worker-signals.js';
import type { WorkerHealthSnapshot } from './worker-health.js';
import type { WorkerOptions } from './worker-options.js';

export type { WorkerOptions } from './worker-options.js';

const DEFAULT_JOB_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * Claims jobs for free slots (or, with `claimBatchSize` above `concurrency`, in batches kept in a
 * local queue), runs their handlers and settles each outcome: claim -> run -> settle. Leases are
 * kept by the LeaseKeeper, outcomes recorded by the JobSettler (batching successes), and the idle loop
 * waits on a WakeSignal. Shutdown stops claiming, hands queued jobs back, lets running jobs finish
 * until a deadline, then aborts the rest and hands their leases back without charging the attempt.
 */
export class Worker {
  /** Every job this worker holds a lease on: running, or waiting in the local queue. */
  private readonly held = new Map<string, Execution>();
  private readonly waiting: Execution[] = [];
  private runningCount = 0;
  private readonly claimBatchSize: number;
  private readonly random: () => number;
  private readonly monotonicNow: () => number;
  private readonly now: () => Date;
  private readonly maxInterruptions: number;
  private status: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  private loopDone: Promise<void> = Promise.resolve();
  private unsubscribe: Unsubscribe | undefined;
  private readonly wakeSignal = new WakeSignal();
  private mayHaveMore = true;
  private stopping: Promise<void> | undefined;
  private readonly settler: JobSettler;
  private readonly leaseKeeper: LeaseKeeper<Execution>;
  private readonly database: DatabaseAvailability;
  private loopTurnedAt: number | undefined;
  private lastPollAt: Date | undefined;
  private lastClaimAt: Date | undefined;

  constructor(private readonly options: WorkerOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) throw new RangeError('concurrency must be a positive integer');
    const claimBatchSize = options.claimBatchSize ?? options.concurrency;
    if (!Number.isInteger(claimBatchSize) || claimBatchSize < 1) throw new RangeError('claimBatchSize must be a positive integer');
    this.claimBatchSize = claimBatchSize;
    this.random = options.random ?? Math.random;
    this.monotonicNow = options.monotonicNow ?? (() => performance.now());
    this.now = options.now ?? (() => new Date());
    this.database = new DatabaseAvailability({
      giveUpAfterMs: options.databaseGiveUpAfterMs,
      monotonicNow: this.monotonicNow,
      now: this.now,
      onLoss:
        options.onDatabaseLost === undefined
          ? undefined
          : (loss) => {
              options.logger.error({ worker_id: options.workerId, code: loss.code, cause: loss.cause }, 'giving up on the database; no more claims');
              this.wakeLoop();
              options.onDatabaseLost?.(loss);
            },
    });
    this.maxInterruptions = options.maxInterruptions ?? DEFAULT_MAX_INTERRUPTIONS;
    this.settler = new JobSettler({
      repository: options.repository,
      retryPolicy: options.retryPolicy,
      random: this.random,
      leaseMs: options.leaseMs,
      monotonicNow: this.monotonicNow,
      maxInterruptions: this.maxInterruptions,
      ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
    });
    this.leaseKeeper = new LeaseKeeper<Execution>({
      // Renewals count towards the database's availability, as claims do.
      repository: { renewLeases: (...args) => this.database.observe(options.repository.renewLeases(...args)) },
      workerId: options.workerId,
      leaseMs: options.leaseMs,
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      logger: options.logger,
      monotonicNow: this.monotonicNow,
      held: () => this.held,
      onLost: (execution) => this.abort(execution, 'lease_lost'),
      onCancelRequested: (execution) => this.abort(execution, 'cancelled'),
    });
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

  /** What the health endpoints report; see worker-health.ts for what counts as live and ready. */
  health(): WorkerHealthSnapshot {
    return {
      status: this.status,
      inFlight: this.runningCount,
      held: this.held.size,
      loopIdleMs: this.loopTurnedAt === undefined ? undefined : this.monotonicNow() - this.loopTurnedAt,
      lastPollAt: this.lastPollAt,
      lastClaimAt: this.lastClaimAt,
      databaseAvailable: this.database.available && this.database.loss === undefined,
      databaseUnavailableSince: this.database.unavailableSince,
      databaseLost: this.database.loss !== undefined,
    };
  }

  async start(): Promise<void> {
    if (this.status !== 'new') throw new Error('a worker starts once');
    this.status = 'running';
    try {
      this.unsubscribe = await subscribeWorkerSignals(this.options.repository, {
        onJobs: () => this.nudge('jobs'),
        // Only for a job held here; the renewal confirms the request under the lease fence.
        onCancelRequested: (jobId) => {
          if (jobId === undefined || this.held.has(jobId)) this.leaseKeeper.renewSoon();
        },
      });
    } catch (error) {
      // Polling still finds every job; a missing wake-up channel only costs latency.
      this.options.logger.warn({ err: error, worker_id: this.workerId }, 'job notifications unavailable; polling only');
    }
    this.leaseKeeper.start();
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
    await this.leaseKeeper.stop();
    await this.unsubscribe?.().catch(() => undefined);
    this.status = 'stopped';
    this.options.logger.info({ worker_id: this.workerId }, 'worker stopped');
  }

  private async claimLoop(): Promise<void> {
    const { repository, leaseMs, pollIntervalMs, workerId, logger } = this.options;
    while (this.status === 'running' && this.database.loss === undefined) {
      this.loopTurnedAt = this.monotonicNow();
      const limit = this.claimLimit();
      if (limit > 0) {
        this.mayHaveMore = false;
        let claimed: Job[];
        // The database starts each lease when the statement runs: count from before it was sent.
        const sentAt = this.monotonicNow();
        try {
          claimed = await this.database.observe(repository.claimJobs({ workerId, limit, leaseMs, maxInterruptions: this.maxInterruptions }));
        } catch (error) {
          if (this.database.loss !== undefined) break;
          logger.error({ err: error, worker_id: workerId }, 'claiming jobs failed; retrying after the poll interval');
          await this.waitForWork(pollIntervalMs);
          continue;
        }
        this.lastPollAt = this.now();
        if (claimed.length > 0) this.lastClaimAt = this.lastPollAt;
        const rescued = claimed.reduce((count, job) => count + (job.rescued === true ? 1 : 0), 0);
        if (rescued > 0) this.options.metrics?.leasesRescued(rescued);
        for (const job of claimed) this.hold(job, sentAt);
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

  /** `claimSentAt`: when the claim that took the job was sent, the earliest its lease can have started. */
  private hold(job: Job, claimSentAt: number): void {
    const execution = newExecution(job, this.options.logger, this.workerId, claimSentAt);
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
    execution.startedAt = this.monotonicNow();
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
    logger.debug({ scope_key: job.scopeKey }, 'job started');
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
    const timeoutMs = handler.timeoutMs ?? this.options.defaultJobTimeoutMs ?? DEFAULT_JOB_TIMEOUT_MS;
    const bound = new RunBound(timeoutMs);
    try {
      const running = handler.run({
        job,
        logger,
        get signal() {
          return signalOf(execution);
        },
        waitingOnSource: (wait) => bound.excluding(wait),
      });
      const ran = await runWithinDeadline(running, bound, () => this.timeOut(execution, timeoutMs));
      if (ran.timedOut) return;
      result = ran.result;
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
    if (input.ingestion === undefined) this.freeSlot(execution);
    const settled = await this.settler.succeed(execution, input);
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

  private async settleFailure(execution: Execution, failure: JobFailure, minDelayMs?: number): Promise<void> {
    if (execution.released) return;
    await this.settler.fail(execution, failure, minDelayMs);
  }

  /**
   * The handler outran its bound: abort its signal and settle the failure now (charged: the slowness
   * is the job's), so the job is retried without waiting for a handler that may ignore its signal.
   * False when the job was already being stopped for another reason, which then takes its course.
   */
  private async timeOut(execution: Execution, timeoutMs: number): Promise<boolean> {
    if (execution.cause !== undefined) return false;
    this.abort(execution, 'timeout');
    execution.logger.warn({ timeout_ms: timeoutMs }, 'job ran past its run time bound; aborting its handler');
    await this.settleFailure(execution, timeoutFailure(timeoutMs));
    return true;
  }

  private async settleAborted(execution: Execution): Promise<void> {
    switch (execution.cause) {
      case 'timeout':
        // Settled when the bound passed.
        return;
      case 'cancelled':
        await this.settler.cancel(execution);
        return;
      case 'shutdown':
        await this.release(execution);
        return;
      default:
        execution.logger.warn({}, 'handler stopped after its lease was lost; another worker owns the job now');
    }
  }

  /** Hands the job back at shutdown; the attempt is not charged. */
  private async release(execution: Execution): Promise<void> {
    // A timed-out job was settled already; its handler is only being waited for.
    if (execution.released || execution.cause === 'timeout') return;
    execution.released = true;
    this.abort(execution, 'shutdown');
    await this.settler.release(execution);
  }

  private abort(execution: Execution, cause: AbortCause): void {
    if (execution.cause !== undefined) return;
    execution.cause = cause;
    if (!execution.started) {
      // Shutdown releases queued jobs itself; the other causes are settled (or dropped) here.
      if (cause !== 'shutdown') this.unqueue(execution);
      return;
    }
    // The outcome line follows (cancelled, or lease lost); this one is detail.
    if (cause !== 'shutdown') execution.logger.debug({ cause }, 'aborting handler');
    execution.abortReason = abortReason(cause);
    execution.controller?.abort(execution.abortReason);
  }

  private nudge(kind: 'jobs' | 'slot'): void {
    if (kind === 'jobs') this.mayHaveMore = true;
    else if (!this.mayHaveMore) return;
    this.wakeLoop();
  }

  private wakeLoop(): void {
    this.wakeSignal.nudge();
  }

  private waitForWork(timeoutMs: number): Promise<void> {
    if (this.status !== 'running') return Promise.resolve();
    return this.wakeSignal.wait(timeoutMs);
  }
}
