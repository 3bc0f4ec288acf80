import { DatabaseUnavailableError } from '../core/database-unavailable.js';

/** Why a worker stopped trying to reach its database. */
export interface DatabaseLoss {
  cause: 'permanent' | 'unavailable_too_long';
  /** DatabaseUnavailableError code, or UNCLASSIFIED for anything else the database threw. */
  code: string;
  /** One line: what failed and what to do about it. */
  message: string;
  error: unknown;
}

export interface DatabaseAvailabilityOptions {
  /** Give up after this long without one successful exchange; undefined: never give up on time alone. */
  giveUpAfterMs: number | undefined;
  monotonicNow: () => number;
  now: () => Date;
  /**
   * Called once, with the first loss. Without it the worker never gives up: it keeps retrying, even
   * on an error that will not heal, since nobody would stop and restart it.
   */
  onLoss: ((loss: DatabaseLoss) => void) | undefined;
}

/**
 * Tracks whether the worker's database exchanges (claims, lease renewals) succeed, since when they
 * have not, and whether it is time to give up: at once on an error that will not heal (wrong
 * password, missing database, unknown host), or after `giveUpAfterMs` of nothing but failures.
 * A worker that keeps retrying a database it will never reach looks alive and does nothing.
 */
export class DatabaseAvailability {
  private failingSince: { monotonic: number; wall: Date } | undefined;
  private lossSeen: DatabaseLoss | undefined;

  constructor(private readonly options: DatabaseAvailabilityOptions) {}

  /** The loss the worker gave up on, once it has. */
  get loss(): DatabaseLoss | undefined {
    return this.lossSeen;
  }

  /** Runs a database call, recording whether it got through and giving up when it is time. */
  async observe<T>(call: Promise<T>): Promise<T> {
    try {
      const result = await call;
      this.succeeded();
      return result;
    } catch (error) {
      const loss = this.lossSeen === undefined ? this.failed(error) : undefined;
      if (loss !== undefined && this.options.onLoss !== undefined) {
        this.lossSeen = loss;
        this.options.onLoss(loss);
      }
      throw error;
    }
  }

  succeeded(): void {
    this.failingSince = undefined;
  }

  /** Records a failed exchange; returns why to give up, or undefined to keep retrying. */
  failed(error: unknown): DatabaseLoss | undefined {
    this.failingSince ??= { monotonic: this.options.monotonicNow(), wall: this.options.now() };
    const code = error instanceof DatabaseUnavailableError ? error.code : 'UNCLASSIFIED';
    const reason = error instanceof Error ? error.message : String(error);
    if (error instanceof DatabaseUnavailableError && error.permanent) {
      return { cause: 'permanent', code, message: reason, error };
    }
    const limit = this.options.giveUpAfterMs;
    const failingMs = this.options.monotonicNow() - this.failingSince.monotonic;
    if (limit !== undefined && failingMs >= limit) {
      const seconds = Math.round(failingMs / 100) / 10;
      return { cause: 'unavailable_too_long', code, message: `no database call succeeded for ${seconds} s; last error: ${reason}`, error };
    }
    return undefined;
  }

  /** True until an exchange fails, and again after the next one succeeds. */
  get available(): boolean {
    return this.failingSince === undefined;
  }

  get unavailableSince(): Date | undefined {
    return this.failingSince?.wall;
  }
}
