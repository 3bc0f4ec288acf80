import type { ScheduleTiming } from './timing.js';

/*
 * A schedule's occurrences: the instants its cron expression (in its zone) or its interval names,
 * at or after start_at and before end_at. An occurrence is the identity of a run: the scheduler
 * stores the first unfired one as next_run_at and keys the job it creates on it.
 */

/** The first occurrence strictly after `after`, or null when the schedule has no more. */
export function nextOccurrence(timing: ScheduleTiming, after: Date): Date | null {
  const startMs = timing.startAt?.getTime();
  // Searching from just before start_at makes an occurrence exactly at start_at count.
  const fromMs = startMs === undefined ? after.getTime() : Math.max(after.getTime(), startMs - 1);
  const candidate = rawNextAfter(timing, fromMs);
  return candidate === null || isPastEnd(timing, candidate) ? null : new Date(candidate);
}

/**
 * The first occurrence at or after `instant`, or null. What a schedule's next_run_at becomes when
 * it is created, updated or resumed: occurrences before `instant` are neither fired nor missed.
 */
export function firstOccurrenceAtOrAfter(timing: ScheduleTiming, instant: Date): Date | null {
  return nextOccurrence(timing, new Date(instant.getTime() - 1));
}

/** The last occurrence at or before `instant`, or null (none yet, or before start_at). */
export function latestOccurrenceAtOrBefore(timing: ScheduleTiming, instant: Date): Date | null {
  let boundMs = instant.getTime();
  if (timing.endAt !== null) boundMs = Math.min(boundMs, timing.endAt.getTime() - 1);
  const candidate = rawLatestAtOrBefore(timing, boundMs);
  if (candidate === null) return null;
  if (timing.startAt !== null && candidate < timing.startAt.getTime()) return null;
  return new Date(candidate);
}

export interface OccurrenceCount {
  count: number;
  /** False when counting stopped at the limit: there are at least `count`. */
  exact: boolean;
}

/**
 * How many occurrences lie from `first` to `last`, both occurrences, both counted. Exact and
 * constant-time for intervals; a cron sequence is walked, stopping after `limit` steps.
 */
export function countOccurrences(timing: ScheduleTiming, first: Date, last: Date, limit: number): OccurrenceCount {
  if (last < first) return { count: 0, exact: true };
  if (timing.kind === 'interval') {
    return { count: Math.floor((last.getTime() - first.getTime()) / (timing.intervalSeconds * 1000)) + 1, exact: true };
  }
  let count = 1;
  let at: Date | null = first;
  const lastMs = last.getTime();
  while (count < limit) {
    at = timing.sequence.nextAfter(at);
    if (at === null || at.getTime() > lastMs) return { count, exact: true };
    count += 1;
  }
  return { count, exact: at.getTime() === lastMs };
}

function rawNextAfter(timing: ScheduleTiming, afterMs: number): number | null {
  if (timing.kind === 'cron') return timing.sequence.nextAfter(new Date(afterMs))?.getTime() ?? null;
  const anchorMs = timing.anchor.getTime();
  if (afterMs < anchorMs) return anchorMs;
  const periodMs = timing.intervalSeconds * 1000;
  return anchorMs + (Math.floor((afterMs - anchorMs) / periodMs) + 1) * periodMs;
}

function rawLatestAtOrBefore(timing: ScheduleTiming, atMs: number): number | null {
  if (timing.kind === 'cron') return timing.sequence.latestAtOrBefore(new Date(atMs))?.getTime() ?? null;
  const anchorMs = timing.anchor.getTime();
  if (atMs < anchorMs) return null;
  const periodMs = timing.intervalSeconds * 1000;
  return anchorMs + Math.floor((atMs - anchorMs) / periodMs) * periodMs;
}

function isPastEnd(timing: ScheduleTiming, atMs: number): boolean {
  return timing.endAt !== null && atMs >= timing.endAt.getTime();
}
