import { Cron, CronPattern, type CronOptions } from 'croner';
import type { CronEngine, CronSequence, ZoneRules } from '../../core/schedule/cron-engine.js';
import { ScheduleTimingError } from '../../core/schedule/timing-error.js';

const UTC_NAMES = new Set(['UTC', 'Etc/UTC']);
const MODE = '5-or-6-parts';
// A wall-clock time is any second/minute/hour without `*` or a step, lists and ranges included.
const FIXED_TIME_RULE = 'no-wildcard';

/** The cron engine on croner, with its DST rules for wall-clock expressions (see ADR 18). */
export function createCronerEngine(): CronEngine {
  const zones = new Map<string, ZoneRules>();
  return {
    zone(name) {
      let zone = zones.get(name);
      if (zone === undefined) {
        zone = readZone(name);
        zones.set(name, zone);
      }
      return zone;
    },
    parse(expression, zone) {
      return parseCron(expression, zone);
    },
  };
}

function parseCron(expression: string, zone: ZoneRules): CronSequence {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    throw invalidCron(expression, `has ${fields.length} field${fields.length === 1 ? '' : 's'}; give 5 (minute hour day-of-month month day-of-week) or 6 (second first)`);
  }
  const text = fields.join(' ');
  const options: CronOptions = {
    mode: MODE,
    fixedTimeRule: FIXED_TIME_RULE,
    // UTC has no DST, and a fixed offset spares croner a time zone conversion per step.
    ...(UTC_NAMES.has(zone.name) ? { utcOffset: 0 } : { timezone: zone.name }),
  };
  let cron: Cron;
  let followsWallClock: boolean;
  try {
    cron = new Cron(text, options);
    followsWallClock = new CronPattern(text, undefined, { mode: MODE, fixedTimeRule: FIXED_TIME_RULE }).isFixedTime;
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^CronPattern:\s*/, '') : String(error);
    throw invalidCron(expression, reason);
  }

  return {
    followsWallClock,
    nextAfter(instant) {
      return cron.nextRun(instant);
    },
    latestAtOrBefore(instant) {
      // croner's backward search, which agrees with its forward one around DST transitions
      // (probed in ADR 18; test/adapters/croner-engine.test.ts keeps checking it). A run in the
      // same second as the reference counts, hence the millisecond.
      return cron.previousRuns(1, new Date(instant.getTime() + 1))[0] ?? null;
    },
    namesWallClockOf(occurrence) {
      return cron.match(occurrence);
    },
  };
}

function readZone(name: string): ZoneRules {
  // Offsets such as "+02:00" are not IANA zones, and their rules never change: refuse them.
  if (!/^[A-Za-z]/.test(name)) throw unknownZone(name);
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    throw unknownZone(name);
  }
  return {
    name,
    offsetMinutes(instant) {
      const parts: Record<string, number> = {};
      for (const part of format.formatToParts(instant)) {
        if (part.type !== 'literal') parts[part.type] = Number(part.value);
      }
      const wallMs = Date.UTC(parts.year ?? 0, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
      return Math.round((wallMs - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
    },
  };
}

function invalidCron(expression: string, reason: string): ScheduleTimingError {
  return new ScheduleTimingError([{ field: 'cron', code: 'INVALID_CRON', message: `"${expression}" is not a cron expression: ${reason}` }]);
}

function unknownZone(name: string): ScheduleTimingError {
  return new ScheduleTimingError([
    { field: 'time_zone', code: 'UNKNOWN_TIME_ZONE', message: `"${name}" is not an IANA time zone name (such as UTC or Europe/Stockholm)` },
  ]);
}
