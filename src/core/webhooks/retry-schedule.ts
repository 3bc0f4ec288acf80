/**
 * How long a delivery waits after each failed try: quick retries for a blip, then ever longer
 * waits, about three days in all before it is given up. Index n is the wait after try n + 1.
 */
export const WEBHOOK_RETRY_SCHEDULE_MS: readonly number[] = [
  5_000,
  30_000,
  2 * 60_000,
  10 * 60_000,
  30 * 60_000,
  60 * 60_000,
  2 * 3_600_000,
  4 * 3_600_000,
  8 * 3_600_000,
  12 * 3_600_000,
  12 * 3_600_000,
  12 * 3_600_000,
  12 * 3_600_000,
  8 * 3_600_000,
];

/** Tries of one delivery: the first and one after each wait of the schedule. */
export const WEBHOOK_MAX_TRIES = WEBHOOK_RETRY_SCHEDULE_MS.length + 1;

/**
 * The wait after failed try `tryNumber` (1-based), shortened by up to a fifth so the retries of many
 * deliveries that failed together spread out; never shorter than the receiver's Retry-After.
 * `random` returns a number in [0, 1).
 */
export function webhookRetryDelayMs(
  tryNumber: number,
  random: () => number,
  retryAfterMs?: number,
  schedule: readonly number[] = WEBHOOK_RETRY_SCHEDULE_MS,
): number {
  const index = Math.min(Math.max(tryNumber - 1, 0), schedule.length - 1);
  const base = schedule[index] ?? 0;
  const jittered = Math.round(base * (1 - 0.2 * random()));
  return Math.max(jittered, retryAfterMs ?? 0);
}
