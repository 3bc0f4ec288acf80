import type { JobRepository } from '../core/job-repository.js';
import type { JobLease } from '../core/job.js';
import type { JobLogger } from './job-handler.js';

/** What the keeper needs to know of a held job. */
export interface KeptLease {
  readonly lease: JobLease;
  /** Set once the job is being aborted: its lease is no longer renewed. */
  readonly cause: string | undefined;
  /** Monotonic time the last successful renewal was sent (or the claim, at first). */
  renewedAt: number;
}

export interface LeaseKeeperOptions<T extends KeptLease> {
  repository: Pick<JobRepository, 'renewLeases'>;
  workerId: string;
  leaseMs: number;
  heartbeatIntervalMs: number;
  logger: JobLogger;
  monotonicNow: () => number;
  /** Every job the worker holds a lease on right now, by job id. */
  held: () => ReadonlyMap<string, T>;
  /** The lease is gone (reclaimed, settled elsewhere) or could not be renewed in time. */
  onLost: (held: T) => void;
  /** An operator asked for the job to be cancelled. */
  onCancelRequested: (held: T) => void;
}

/**
 * Renews every lease the worker holds in one statement per heartbeat. A renewal that finds a
 * lease gone, or a lease that could not be renewed for longer than its duration (the database was
 * unreachable), reports it lost: another worker may own the job by now, so work on it must stop.
 */
export class LeaseKeeper<T extends KeptLease> {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  /** A renewal was asked for while one was in flight: run another right after it. */
  private again = false;
  private stopped = false;

  constructor(private readonly options: LeaseKeeperOptions<T>) {}

  start(): void {
    this.timer ??= setInterval(() => this.beat(), this.options.heartbeatIntervalMs);
  }

  /** Stops the heartbeat and waits for a renewal in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    while (this.inFlight !== undefined) await this.inFlight;
  }

  /**
   * Renews now instead of at the next heartbeat: a cancel was requested for a held job, and the
   * renewal reads the flag under the lease fence, so a signal about an older attempt aborts nothing.
   * A renewal already in flight may have read the flag before it was set, so another follows it.
   */
  renewSoon(): void {
    if (this.stopped || this.options.held().size === 0) return;
    if (this.inFlight !== undefined) {
      this.again = true;
      return;
    }
    this.launch();
  }

  private beat(): void {
    if (this.inFlight !== undefined || this.options.held().size === 0) return;
    this.launch();
  }

  private launch(): void {
    this.again = false;
    this.inFlight = this.renew().finally(() => {
      this.inFlight = undefined;
      if (this.again && !this.stopped) this.launch();
    });
  }

  /** Never rejects: a failed renewal is logged and the stall check still runs. */
  async renew(): Promise<void> {
    const { repository, workerId, leaseMs, logger, monotonicNow, held, onLost, onCancelRequested } = this.options;
    const kept = [...held().values()].filter((entry) => entry.cause === undefined);
    if (kept.length === 0) return;
    const sentAt = monotonicNow();
    try {
      const renewals = await repository.renewLeases(
        workerId,
        kept.map((entry) => entry.lease),
        leaseMs,
      );
      for (const renewal of renewals) {
        const entry = held().get(renewal.lease.jobId);
        if (entry?.lease.attemptNumber !== renewal.lease.attemptNumber) continue;
        if (renewal.status === 'lost') {
          onLost(entry);
          continue;
        }
        entry.renewedAt = sentAt;
        if (renewal.status === 'cancel_requested') onCancelRequested(entry);
      }
    } catch (error) {
      logger.warn({ err: error, worker_id: workerId }, 'renewing leases failed');
    }
    // A lease we could not renew in time may already belong to someone else: stop working on it.
    const now = monotonicNow();
    for (const entry of kept) {
      if (entry.cause === undefined && now - entry.renewedAt > leaseMs) onLost(entry);
    }
  }
}
