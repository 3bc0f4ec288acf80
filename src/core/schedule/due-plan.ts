import { fireTime } from './jitter.js';
import { countOccurrences, latestOccurrenceAtOrBefore, nextOccurrence } from './occurrences.js';
import type { ScheduleTiming } from './timing.js';

/** Lateness every occurrence is allowed, whatever its period: a poll interval and a busy database. */
export const MISSED_GRACE_MS = 10_000;
/** Cron occurrences counted one by one into a skipped range before the count becomes "at least". */
export const SKIPPED_COUNT_LIMIT = 1_000;
/** Occurrences examined one by one in a plan; the rest wait for the next plan, which continues from them. */
export const PLAN_STEP_LIMIT = 10_000;

export interface DuePlanInput {
  timing: ScheduleTiming;
  /** Seeds the jitter, so that every node plans the same fire times. */
  scheduleId: string | number;
  /** The schedule's first unfired occurrence; null when it has no more. */
  nextRunAt: Date | null;
  /** The database's clock. */
  now: Date;
}

export interface DueOccurrence {
  occurrence: Date;
  /** The occurrence plus its jitter. */
  fireAt: Date;
  /** How long after its fire time it is fired (now - fireAt). */
  lagMs: number;
  /** Fired under the missed policy although late (`latest`, `all`). */
  late: boolean;
}

/** Late occurrences that will never fire: every occurrence from `first` to `last`, both included. */
export interface SkippedRange {
  first: Date;
  last: Date;
  count: number;
  /** False when the count stopped at SKIPPED_COUNT_LIMIT (a dense cron after a long outage): at least `count`. */
  countExact: boolean;
}

export interface DuePlan {
  /** To fire now, oldest first. */
  fire: DueOccurrence[];
  skipped: SkippedRange | null;
  /** The first occurrence not fired by this plan (the new next_run_at), or null when the schedule has ended. */
  nextRunAt: Date | null;
  /** When that occurrence fires (with its jitter): when the schedule is next due. */
  nextFireAt: Date | null;
}

interface Examined {
  occurrence: Date;
  fireAt: Date;
  late: boolean;
}

/**
 * What a schedule does at `now`, given its first unfired occurrence.
 *
 * An occurrence is ready once its fire time (occurrence + jitter) has come; the ready ones are
 * taken in order and the first not ready stops the plan, so next_run_at only moves forward. A
 * ready occurrence is late (missed) when `now - fireAt > max(MISSED_GRACE_MS, a tenth of the gap
 * to the occurrence after it)`: a minute-ly run 10 s late is missed, a daily one is not until
 * 2.4 h. Occurrences on time always fire; the missed policy decides only about the late ones:
 * `skip` fires none, `latest` fires the most recent one when none is on time, `all` fires the
 * most recent `maxCatchup`. The late ones not fired form one skipped range starting at
 * next_run_at; it is computed without walking an outage's every occurrence.
 */
export function planDueOccurrences({ timing, scheduleId, nextRunAt, now }: DuePlanInput): DuePlan {
  const fireAt = (occurrence: Date): Date => fireTime(scheduleId, occurrence, timing.jitterSeconds);
  if (nextRunAt === null) return { fire: [], skipped: null, nextRunAt: null, nextFireAt: null };
  if (fireAt(nextRunAt) > now) return { fire: [], skipped: null, nextRunAt, nextFireAt: fireAt(nextRunAt) };

  // Occurrences this old are surely ready and, if another ready one follows, surely late: the bulk
  // of an outage is a range, and only the last few occurrences are examined one by one.
  const jitterMs = timing.jitterSeconds * 1000;
  const windowMs = Math.max(MISSED_GRACE_MS + jitterMs, 2 * jitterMs) + 1000;
  const windowStart = new Date(now.getTime() - windowMs);
  // In normal running next_run_at is recent and there is no bulk to look for.
  const bulkEnd = nextRunAt >= windowStart ? null : latestOccurrenceAtOrBefore(timing, windowStart);
  const examineFrom = bulkEnd !== null && bulkEnd > nextRunAt ? bulkEnd : nextRunAt;
  const bulkLast = examineFrom > nextRunAt ? latestOccurrenceAtOrBefore(timing, new Date(examineFrom.getTime() - 1)) : null;

  const examined: Examined[] = [];
  let cursor: Date | null = examineFrom;
  while (cursor !== null && examined.length < PLAN_STEP_LIMIT) {
    const due = fireAt(cursor);
    if (due > now) break;
    const following = nextOccurrence(timing, cursor);
    const graceMs = Math.max(MISSED_GRACE_MS, following === null ? 0 : (following.getTime() - cursor.getTime()) / 10);
    examined.push({ occurrence: cursor, fireAt: due, late: now.getTime() - due.getTime() > graceMs });
    cursor = following;
  }

  const firstOnTime = examined.findIndex((entry) => !entry.late);
  const lateExamined = firstOnTime === -1 ? examined : examined.slice(0, firstOnTime);
  const onTime = firstOnTime === -1 ? [] : examined.slice(firstOnTime);
  const lateToFire = timing.missedPolicy === 'skip' ? 0 : timing.missedPolicy === 'latest' ? (onTime.length > 0 ? 0 : 1) : timing.maxCatchup;

  // The late ones that fire are the most recent: from the examined ones, then back into the bulk.
  const firedLate: Examined[] = lateExamined.slice(Math.max(0, lateExamined.length - lateToFire));
  let bulkSkippedLast = bulkLast;
  while (firedLate.length < lateToFire && bulkSkippedLast !== null && bulkSkippedLast >= nextRunAt) {
    firedLate.unshift({ occurrence: bulkSkippedLast, fireAt: fireAt(bulkSkippedLast), late: true });
    const before = latestOccurrenceAtOrBefore(timing, new Date(bulkSkippedLast.getTime() - 1));
    bulkSkippedLast = before !== null && before >= nextRunAt ? before : null;
  }
  const lateSkippedExamined = lateExamined.slice(0, Math.max(0, lateExamined.length - lateToFire));

  const toDue = (entry: Examined): DueOccurrence => ({
    occurrence: entry.occurrence,
    fireAt: entry.fireAt,
    lagMs: now.getTime() - entry.fireAt.getTime(),
    late: entry.late,
  });
  return {
    fire: [...firedLate, ...onTime].map(toDue),
    skipped: skippedRange(timing, nextRunAt, bulkSkippedLast, lateSkippedExamined),
    nextRunAt: cursor,
    nextFireAt: cursor === null ? null : fireAt(cursor),
  };
}

function skippedRange(timing: ScheduleTiming, first: Date, bulkLast: Date | null, examined: Examined[]): SkippedRange | null {
  const bulk = bulkLast === null ? { count: 0, exact: true } : countOccurrences(timing, first, bulkLast, SKIPPED_COUNT_LIMIT);
  const count = bulk.count + examined.length;
  if (count === 0) return null;
  const last = examined.at(-1)?.occurrence ?? bulkLast ?? first;
  return { first, last, count, countExact: bulk.exact };
}
