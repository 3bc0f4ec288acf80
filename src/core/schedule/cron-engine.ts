/**
 * The port to the cron library. Occurrences are whole-second instants; the sequence of a cron
 * expression is the one repeated `nextAfter` calls produce, and every method agrees with it.
 */
export interface CronSequence {
  /**
   * Whether the expression names wall-clock times that fire once each (no `*` and no step in the
   * second, minute and hour fields, e.g. `30 2 * * *`): such a time inside a DST gap fires at the
   * first instant after the gap, and a time that happens twice fires on its first pass only.
   * Otherwise the expression steps through real time and DST changes nothing about its spacing.
   */
  readonly followsWallClock: boolean;
  /** The first occurrence strictly after `instant`, or null if there is none (before year 10000). */
  nextAfter(instant: Date): Date | null;
  /** The last occurrence at or before `instant`, or null if there is none. */
  latestAtOrBefore(instant: Date): Date | null;
  /**
   * Whether the occurrence's wall-clock time is one the expression names: false for an occurrence
   * moved to the end of a DST gap (02:30 fired at 03:00).
   */
  namesWallClockOf(occurrence: Date): boolean;
}

/** The rules of one IANA time zone. */
export interface ZoneRules {
  readonly name: string;
  /** Minutes to add to UTC to get the zone's wall clock at `instant` (CEST is 120). */
  offsetMinutes(instant: Date): number;
}

export interface CronEngine {
  /**
   * Reads a 5-field (minute first) or 6-field (second first) expression in a time zone. Throws
   * ScheduleTimingError naming `cron` (or `time_zone`) when either cannot be used.
   */
  parse(expression: string, zone: ZoneRules): CronSequence;
  /** The zone of an IANA name (`UTC`, `Europe/Stockholm`); throws ScheduleTimingError naming `time_zone`. */
  zone(name: string): ZoneRules;
}
