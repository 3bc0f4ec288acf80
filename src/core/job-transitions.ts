import type { JobAttempt, JobStateTransition } from './job.js';

/** The reasons of the two transitions read off an attempt. */
const CLAIMED = 'claimed';
const SUCCEEDED = 'succeeded';

/**
 * A job's state transitions, oldest first: the recorded ones and the two that every run has, which
 * are not stored as rows of their own but read off its attempt (docs/adr/0009).
 * - Attempt n begins with `pending -> running` (`claimed`) at the attempt's start.
 * - An attempt whose outcome is `succeeded` ends with `running -> succeeded` at its finish.
 *
 * `recorded` is in the order it was written. Every transition carries the job's attempt count at
 * the time, which never decreases, and attempt n is claimed before anything is recorded under n, so
 * ordering by attempt number, then claim / recorded / success, restores the sequence. A row an
 * earlier version wrote for a claim or a success is kept and not derived again.
 */
export function jobTransitions(recorded: JobStateTransition[], attempts: JobAttempt[]): JobStateTransition[] {
  const has = (attemptNumber: number, reason: string) =>
    recorded.some((t) => t.attemptNumber === attemptNumber && t.reason === reason);
  const entries: { attempt: number; rank: number; transition: JobStateTransition }[] = recorded.map((transition) => ({
    attempt: transition.attemptNumber,
    rank: 1,
    transition,
  }));
  for (const attempt of attempts) {
    const { jobId, attemptNumber } = attempt;
    if (!has(attemptNumber, CLAIMED)) {
      entries.push({
        attempt: attemptNumber,
        rank: 0,
        transition: { jobId, attemptNumber, fromState: 'pending', toState: 'running', reason: CLAIMED, at: attempt.startedAt },
      });
    }
    if (attempt.outcome === 'succeeded' && attempt.finishedAt !== null && !has(attemptNumber, SUCCEEDED)) {
      entries.push({
        attempt: attemptNumber,
        rank: 2,
        transition: { jobId, attemptNumber, fromState: 'running', toState: 'succeeded', reason: SUCCEEDED, at: attempt.finishedAt },
      });
    }
  }
  // Array.prototype.sort is stable: recorded transitions keep their order within an attempt.
  return entries.sort((a, b) => a.attempt - b.attempt || a.rank - b.rank).map((entry) => entry.transition);
}
