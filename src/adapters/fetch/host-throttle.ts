import { abortableSleep } from '../../application/abortable-sleep.js';
import { JobError } from '../../core/job-error.js';

/** The longest pause (a 429's Retry-After) a request sleeps through; past it the job fails fast. */
export const MAX_PAUSE_WAIT_MS = 5_000;

export interface HostBudget {
  /** Requests in flight to one host at once. */
  maxConcurrency: number;
  requestsPerMinute: number;
}

interface HostState {
  budget: HostBudget;
  active: number;
  waiting: (() => void)[];
  /** Earliest time (ms) the next request may start. */
  nextStartAt: number;
  /** Until when (ms) the source asked us to send nothing. */
  pausedUntil: number;
}

/**
 * Politeness shared by every job in the process: per host, at most `maxConcurrency` requests at
 * once and request starts spaced evenly to stay within `requestsPerMinute`. A 429's Retry-After
 * pauses the host for everyone; a request meeting a pause longer than `maxPauseWaitMs` is refused at
 * once with a retryable HOST_PAUSED carrying the rest of the pause, so no job holds a worker slot
 * asleep through it and the job comes back when the pause is over.
 */
export class HostThrottle {
  private readonly hosts = new Map<string, HostState>();

  constructor(
    private readonly budgetFor: (host: string) => HostBudget,
    private readonly now: () => number = Date.now,
    private readonly maxPauseWaitMs = MAX_PAUSE_WAIT_MS,
  ) {}

  /** Waits for a slot and the host's pace; returns the release function. Throws HOST_PAUSED (see above). */
  async acquire(host: string, signal: AbortSignal): Promise<() => void> {
    const state = this.state(host);
    this.refuseLongPause(host, state);
    while (state.active >= state.budget.maxConcurrency) {
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          state.waiting = state.waiting.filter((w) => w !== wake);
          reject(signal.reason as Error);
        };
        const wake = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        if (signal.aborted) return onAbort();
        state.waiting.push(wake);
        signal.addEventListener('abort', onAbort, { once: true });
      });
      // The pause may have begun while this request waited for a slot; refused, it hands the slot on.
      try {
        this.refuseLongPause(host, state);
      } catch (error) {
        state.waiting.shift()?.();
        throw error;
      }
    }
    state.active++;
    try {
      const interval = 60_000 / state.budget.requestsPerMinute;
      const startAt = Math.max(this.now(), state.nextStartAt);
      state.nextStartAt = startAt + interval;
      const wait = startAt - this.now();
      if (wait > 0) await abortableSleep(wait, signal);
      // A pause that began during that wait holds this request too.
      this.refuseLongPause(host, state);
      const paused = state.pausedUntil - this.now();
      if (paused > 0) await abortableSleep(paused, signal);
    } catch (error) {
      this.release(state);
      throw error;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.release(state);
    };
  }

  /** No request to `host` starts before `untilMs`. */
  pause(host: string, untilMs: number): void {
    const state = this.state(host);
    state.nextStartAt = Math.max(state.nextStartAt, untilMs);
    state.pausedUntil = Math.max(state.pausedUntil, untilMs);
  }

  private refuseLongPause(host: string, state: HostState): void {
    const remaining = state.pausedUntil - this.now();
    if (remaining <= this.maxPauseWaitMs) return;
    throw new JobError(
      'http_status',
      'HOST_PAUSED',
      `${host} asked for no requests until ${new Date(state.pausedUntil).toISOString()} (429 Retry-After); the job is retried after that`,
      { retryable: true, retryAfterMs: Math.ceil(remaining) },
    );
  }

  private state(host: string): HostState {
    let state = this.hosts.get(host);
    if (state === undefined) {
      state = { budget: this.budgetFor(host), active: 0, waiting: [], nextStartAt: 0, pausedUntil: 0 };
      this.hosts.set(host, state);
    }
    return state;
  }

  private release(state: HostState): void {
    state.active--;
    state.waiting.shift()?.();
  }
}
