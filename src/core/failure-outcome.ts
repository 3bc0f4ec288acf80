import type { JobFailure } from './job.js';

/** Where a failed attempt leaves its job. */
export type FailureOutcome =
  | { state: 'pending'; retryDelayMs: number }
  | { state: 'failed' }
  | { state: 'exhausted' };

/**
 * Not retryable -> `failed`; retryable with attempts left -> `pending` after the backoff delay;
 * retryable with none left -> `exhausted`.
 */
export function decideFailureOutcome(input: {
  failure: JobFailure;
  spentAttempts: number;
  maxAttempts: number;
  retryDelayMs: number;
}): FailureOutcome {
  if (!input.failure.retryable) return { state: 'failed' };
  if (input.spentAttempts >= input.maxAttempts) return { state: 'exhausted' };
  return { state: 'pending', retryDelayMs: input.retryDelayMs };
}
