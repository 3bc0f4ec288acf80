import type { CronEngine } from '../../core/schedule/cron-engine.js';
import { fireTime } from '../../core/schedule/jitter.js';
import { firstOccurrenceAtOrAfter } from '../../core/schedule/occurrences.js';
import { compileTiming, type ScheduleTiming } from '../../core/schedule/timing.js';
import type { NextRun, ScheduleDefinition } from '../../core/schedule-repository.js';

/**
 * The seed of a schedule's jitter: its name, which every node knows (and which exists before the
 * row does, so a new schedule's first fire time is jittered like every later one).
 */
export const jitterSeed = (definition: Pick<ScheduleDefinition, 'name'>): string => definition.name;

/** The checked timing of a stored or proposed schedule; throws ScheduleTimingError naming each bad field. */
export function timingOf(engine: CronEngine, definition: ScheduleDefinition, createdAt: Date): ScheduleTiming {
  return compileTiming(engine, {
    cron: definition.cron,
    timeZone: definition.timeZone,
    intervalSeconds: definition.intervalSeconds,
    startAt: definition.startAt,
    endAt: definition.endAt,
    createdAt,
    jitterSeconds: definition.jitterSeconds,
    missedPolicy: definition.missedPolicy,
    maxCatchup: definition.maxCatchup,
  });
}

/**
 * Where a schedule starts from at `from` (creation, an update, a resume): its first occurrence at or
 * after that instant, so nothing before it is fired or counted as missed.
 */
export function nextRunFrom(timing: ScheduleTiming, definition: ScheduleDefinition, from: Date): NextRun {
  const nextRunAt = firstOccurrenceAtOrAfter(timing, from);
  return { nextRunAt, fireAt: nextRunAt === null ? null : fireTime(jitterSeed(definition), nextRunAt, timing.jitterSeconds) };
}
