import type { JobFailure } from './job.js';

/**
 * How many interruptions (expired leases, database failures under a running job) a job may have
 * before it ends `exhausted`, unless the worker is configured otherwise. Interruptions are not
 * charged to `max_attempts`: a worker killed by its host or a database outage is not the job's
 * fault. But a job that kills every worker running it looks exactly like that, so it needs its own,
 * looser limit.
 */
export const DEFAULT_MAX_INTERRUPTIONS = 10;

/** What an exhausted job records when it reached the interruption ceiling. */
export function tooManyInterruptionsFailure(interruptions: number): JobFailure {
  return {
    category: 'lease_lost',
    code: 'TOO_MANY_INTERRUPTIONS',
    message:
      `the job was interrupted ${interruptions} times (its worker stopped heartbeating or the database failed under it) ` +
      'without finishing; it may be crashing its worker: look at its attempts, then retry it',
    retryable: true,
  };
}
