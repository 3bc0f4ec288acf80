/**
 * What an idle claim loop waits on: a nudge (jobs were enqueued, a slot freed, shutdown began) or
 * the poll interval, whichever comes first. A nudge that arrives while the loop is busy is kept, so
 * the next wait returns at once instead of missing it.
 */
export class WakeSignal {
  private wake: (() => void) | undefined;
  private nudged = false;

  nudge(): void {
    if (this.wake !== undefined) this.wake();
    else this.nudged = true;
  }

  /** Resolves on the next nudge (or at once if one is pending), or after `timeoutMs`. */
  wait(timeoutMs: number): Promise<void> {
    if (this.nudged) {
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
