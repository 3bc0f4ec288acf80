import { sha256Hex } from '../sha256.js';

/**
 * The delay, in milliseconds within [0, jitterSeconds * 1000), after which an occurrence fires.
 * Derived from the schedule and the occurrence only, so every node computes the same one and a
 * re-computation after a crash agrees with the first.
 */
export function jitterOffsetMs(scheduleId: string | number, occurrence: Date, jitterSeconds: number): number {
  if (jitterSeconds <= 0) return 0;
  const digest = sha256Hex(`schedule-jitter\u0000${String(scheduleId)}\u0000${occurrence.toISOString()}`);
  // 52 bits fit a double exactly, so the fraction is uniform in [0, 1).
  const fraction = Number.parseInt(digest.slice(0, 13), 16) / 2 ** 52;
  return Math.floor(fraction * jitterSeconds * 1000);
}

/** When an occurrence fires: the occurrence plus its jitter. */
export function fireTime(scheduleId: string | number, occurrence: Date, jitterSeconds: number): Date {
  return new Date(occurrence.getTime() + jitterOffsetMs(scheduleId, occurrence, jitterSeconds));
}
