export interface RetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  /** Fraction of the delay that jitter may take off, 0 to 1. Default 0.2. */
  jitter?: number;
}

/**
 * Delay before the attempt after `attemptNumber` failed: base × 2^(n−1), capped, then shortened by
 * up to `jitter` of itself so a burst of failures does not retry in lockstep. Never above the cap.
 * `random` returns a number in [0, 1).
 */
export function retryDelayMs(policy: RetryPolicy, attemptNumber: number, random: () => number): number {
  const exponent = Math.min(Math.max(attemptNumber - 1, 0), 52);
  const capped = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
  const jitter = Math.min(Math.max(policy.jitter ?? 0.2, 0), 1);
  return Math.round(capped * (1 - jitter * random()));
}
