import { abortableSleep } from '../../application/abortable-sleep.js';

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
}

/**
 * Politeness shared by every job in the process: per host, at most `maxConcurrency` requests at
 * once and request starts spaced evenly to stay within `requestsPerMinute`. A 429's Retry-After
 * pauses the host for everyone.
 */
export class HostThrottle {
  private readonly hosts = new Map<string, HostState>();

  constructor(
    private readonly budgetFor: (host: string) => HostBudget,
    private readonly now: () => number = Date.now,
  ) {}

  /** Waits for a slot and the host's pace; returns the release function. */
  async acquire(host: string, signal: AbortSignal): Promise<() => void> {
    const state = this.state(host);
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
    }
    state.active++;
    try {
      const interval = 60_000 / state.budget.requestsPerMinute;
      const startAt = Math.max(this.now(), state.nextStartAt);
      state.nextStartAt = startAt + interval;
      const wait = startAt - this.now();
      if (wait > 0) await abortableSleep(wait, signal);
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
  }

  private state(host: string): HostState {
    let state = this.hosts.get(host);
    if (state === undefined) {
      state = { budget: this.budgetFor(host), active: 0, waiting: [], nextStartAt: 0 };
      this.hosts.set(host, state);
    }
    return state;
  }

  private release(state: HostState): void {
    state.active--;
    state.waiting.shift()?.();
  }
}
