import { DEFAULT_MAX_INTERRUPTIONS } from './interruptions.js';
import type { JobFailure } from './job.js';

/**
 * Where a failed attempt leaves its job. `interrupted`: the failure was the infrastructure's (the
 * database failed under the job), so the attempt is given back and counted as an interruption.
 */
export type FailureOutcome =
  | { state: 'pending'; retryDelayMs: number; interrupted?: boolean }
  | { state: 'failed' }
  /** `interruptions`: with `interrupted`, the count the job ended at. */
  | { state: 'exhausted'; interrupted?: boolean; interruptions?: number };

/**
 * Not retryable -> `failed`; retryable with attempts left -> `pending` after the backoff delay;
 * retryable with none left -> `exhausted`. A retryable `database` failure is not charged: it leaves
 * the job `pending` unless it is the interruption that reaches `maxInterruptions`.
 */
export function decideFailureOutcome(input: {
  failure: JobFailure;
  spentAttempts: number;
  maxAttempts: number;
  /** Interruptions before this failure. */
  interruptions?: number;
  maxInterruptions?: number;
  retryDelayMs: number;
}): FailureOutcome {
  if (!input.failure.retryable) return { state: 'failed' };
  if (input.failure.category === 'database') {
    const interruptions = (input.interruptions ?? 0) + 1;
    if (interruptions >= (input.maxInterruptions ?? DEFAULT_MAX_INTERRUPTIONS)) return { state: 'exhausted', interrupted: true, interruptions };
    return { state: 'pending', retryDelayMs: input.retryDelayMs, interrupted: true };
  }
  if (input.spentAttempts >= input.maxAttempts) return { state: 'exhausted' };
  return { state: 'pending', retryDelayMs: input.retryDelayMs };
}
