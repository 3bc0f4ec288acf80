import { JobError } from '../../core/job-error.js';

/**
 * The total deadline of one fetch: connect, headers and the whole body of every hop, so a source
 * that trickles bytes cannot hold a worker slot for ever (the idle timeouts reset on every chunk).
 * The clock starts when the first request is sent: the politeness wait before it is ours, not the
 * source's. `signal` aborts on the deadline or on the job's own signal, whichever comes first, with
 * that one's reason.
 */
export class FetchDeadline {
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  /** performance.now() when the first request was sent; undefined before. */
  startedAt: number | undefined;

  constructor(
    private readonly totalMs: number,
    private readonly host: string,
    jobSignal: AbortSignal,
  ) {
    this.signal = AbortSignal.any([jobSignal, this.controller.signal]);
  }

  /** Starts the clock; later calls (redirect hops) keep the first start. */
  start(): void {
    if (this.timer !== undefined || this.signal.aborted) return;
    this.startedAt = performance.now();
    this.timer = setTimeout(() => this.controller.abort(this.failure()), this.totalMs);
  }

  /** The deadline's failure if the deadline is what cut the fetch short (not the job's abort). */
  exceeded(): JobError | undefined {
    const reason: unknown = this.controller.signal.reason;
    return this.signal.reason === reason && reason instanceof JobError ? reason : undefined;
  }

  clear(): void {
    clearTimeout(this.timer);
  }

  private failure(): JobError {
    const seconds = this.totalMs / 1000;
    return new JobError(
      'timeout',
      'FETCH_DEADLINE_EXCEEDED',
      `${this.host} did not deliver the whole response within the ${seconds}-second total fetch deadline (FETCH_TOTAL_TIMEOUT_SEC)`,
      { retryable: true },
    );
  }
}
