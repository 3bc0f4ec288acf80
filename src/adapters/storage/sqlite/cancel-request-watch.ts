import type { Unsubscribe } from '../../../core/job-repository.js';

export const CANCEL_CHECK_INTERVAL_MS = 500;

/**
 * SQLite has no notifications between processes. A cancel requested through a repository of this
 * process reaches its workers through an in-process event; one requested by another process (an
 * API process beside worker processes on one file) is found by this watch, which reads the running
 * jobs flagged for cancel every `intervalMs` while anyone listens, and reports each id once.
 */
export class CancelRequestWatch {
  private readonly listeners = new Set<(jobId: string | undefined) => void>();
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> | undefined;
  private seen = new Set<string>();

  constructor(
    private readonly read: () => Promise<string[]>,
    private readonly intervalMs: number = CANCEL_CHECK_INTERVAL_MS,
  ) {}

  subscribe(listener: (jobId: string | undefined) => void): Unsubscribe {
    this.listeners.add(listener);
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.check(), this.intervalMs);
      this.timer.unref();
    }
    return async () => {
      this.listeners.delete(listener);
      if (this.listeners.size > 0) return;
      clearInterval(this.timer);
      this.timer = undefined;
      this.seen.clear();
      await this.reading;
    };
  }

  /** Stops for good, for close(). */
  async close(): Promise<void> {
    this.listeners.clear();
    clearInterval(this.timer);
    this.timer = undefined;
    await this.reading;
  }

  private check(): void {
    if (this.reading !== undefined) return;
    this.reading = this.read()
      .then((ids) => {
        const fresh = ids.filter((id) => !this.seen.has(id));
        // Only ids still flagged are remembered, so the set stays as small as the running jobs.
        this.seen = new Set(ids);
        for (const id of fresh) for (const listener of this.listeners) listener(id);
      })
      // A failed read (file busy, closing) is retried at the next tick; heartbeats still see the flag.
      .catch(() => undefined)
      .finally(() => {
        this.reading = undefined;
      });
  }
}
