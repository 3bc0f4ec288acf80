/**
 * A job's run time bound whose clock stops while the job waits its turn under a source's politeness
 * budget: that wait is set by other jobs sharing the host, not by this one, so it is not charged.
 * `expired` resolves once the job has run (outside those waits) for `limitMs`.
 */
export class RunBound {
  readonly expired: Promise<void>;
  private expire!: () => void;
  private remainingMs: number;
  private runningSince: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private waits = 0;
  private stopped = false;

  constructor(
    readonly limitMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.remainingMs = limitMs;
    this.expired = new Promise<void>((resolve) => {
      this.expire = resolve;
    });
    this.resume();
  }

  /** Awaits `wait` with the clock stopped; concurrent waits stop it once. */
  async excluding<T>(wait: Promise<T>): Promise<T> {
    if (this.waits++ === 0) this.pause();
    try {
      return await wait;
    } finally {
      if (--this.waits === 0) this.resume();
    }
  }

  /** The job ended: the bound no longer fires. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private pause(): void {
    if (this.stopped || this.runningSince === undefined) return;
    clearTimeout(this.timer);
    this.remainingMs -= this.now() - this.runningSince;
    this.runningSince = undefined;
  }

  private resume(): void {
    if (this.stopped) return;
    this.runningSince = this.now();
    this.timer = setTimeout(() => {
      this.stopped = true;
      this.expire();
    }, Math.max(0, this.remainingMs));
  }
}
