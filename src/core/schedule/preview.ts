import type { ZoneRules } from './cron-engine.js';
import { fireTime } from './jitter.js';
import { firstOccurrenceAtOrAfter, nextOccurrence } from './occurrences.js';
import type { ScheduleTiming } from './timing.js';

/**
 * How DST changed an occurrence of an expression that names wall-clock times: moved to the first
 * instant after a gap (02:30 that does not exist fired at 03:00), or the first pass of a wall-clock
 * time that happens twice, fired once.
 */
export type DstAdjustment = 'shifted_out_of_gap' | 'repeated_time_fired_once';

export interface PreviewedOccurrence {
  occurrence: Date;
  /** `2026-03-29T01:00:00.000Z` */
  utc: string;
  /** The same instant on the schedule zone's wall clock with its offset: `2026-03-29T03:00:00+02:00`. */
  local: string;
  dstAdjustment: DstAdjustment | null;
  /** With the schedule's jitter, when a schedule id is given. */
  fireAt?: Date;
}

/** The next `count` occurrences at or after `from`; fewer when the schedule ends first. */
export function previewOccurrences(
  timing: ScheduleTiming,
  from: Date,
  count: number,
  scheduleId?: string | number,
): PreviewedOccurrence[] {
  const previewed: PreviewedOccurrence[] = [];
  let occurrence = firstOccurrenceAtOrAfter(timing, from);
  while (occurrence !== null && previewed.length < count) {
    previewed.push({
      occurrence,
      utc: occurrence.toISOString(),
      local: localIso(occurrence, timing.zone),
      dstAdjustment: dstAdjustment(timing, occurrence),
      ...(scheduleId === undefined ? {} : { fireAt: fireTime(scheduleId, occurrence, timing.jitterSeconds) }),
    });
    occurrence = nextOccurrence(timing, occurrence);
  }
  return previewed;
}

/** ISO 8601 on the zone's wall clock, whole seconds, with the offset in effect at that instant. */
export function localIso(instant: Date, zone: ZoneRules): string {
  const offset = zone.offsetMinutes(instant);
  const wall = new Date(instant.getTime() + offset * 60_000).toISOString().slice(0, 19);
  const sign = offset < 0 ? '-' : '+';
  const hours = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0');
  const minutes = String(Math.abs(offset) % 60).padStart(2, '0');
  return `${wall}${sign}${hours}:${minutes}`;
}

function dstAdjustment(timing: ScheduleTiming, occurrence: Date): DstAdjustment | null {
  if (timing.kind !== 'cron' || !timing.sequence.followsWallClock) return null;
  if (!timing.sequence.namesWallClockOf(occurrence)) return 'shifted_out_of_gap';
  return wallClockHappensTwice(occurrence, timing.zone) ? 'repeated_time_fired_once' : null;
}

/** Whether another instant near this one shows the same wall-clock time (a DST fall-back hour). */
function wallClockHappensTwice(instant: Date, zone: ZoneRules): boolean {
  const offset = zone.offsetMinutes(instant);
  const aroundMs = 6 * 3_600_000;
  for (const other of [zone.offsetMinutes(new Date(instant.getTime() - aroundMs)), zone.offsetMinutes(new Date(instant.getTime() + aroundMs))]) {
    if (other === offset) continue;
    const twin = new Date(instant.getTime() + (offset - other) * 60_000);
    if (zone.offsetMinutes(twin) === other) return true;
  }
  return false;
}
