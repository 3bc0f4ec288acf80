import { describe, expect, it } from 'vitest';
import { createCronerEngine } from '../../../src/adapters/schedule/croner-engine.js';
import { planDueOccurrences, SKIPPED_COUNT_LIMIT, type DuePlan } from '../../../src/core/schedule/due-plan.js';
import { jitterOffsetMs } from '../../../src/core/schedule/jitter.js';
import { compileTiming, type ScheduleTimingSpec } from '../../../src/core/schedule/timing.js';

const engine = createCronerEngine();
const at = (iso: string): Date => new Date(iso);

function plan(spec: Partial<ScheduleTimingSpec>, nextRunAt: string | null, now: string, scheduleId: string | number = 7) {
  const timing = compileTiming(engine, { createdAt: at('2026-01-01T00:00:00Z'), ...spec });
  return planDueOccurrences({ timing, scheduleId, nextRunAt: nextRunAt === null ? null : at(nextRunAt), now: at(now) });
}

/** The plan with instants as ISO strings, easier to read in assertions. */
function readable(result: DuePlan) {
  return {
    fire: result.fire.map((due) => due.occurrence.toISOString()),
    skipped: result.skipped === null ? null : { first: result.skipped.first.toISOString(), last: result.skipped.last.toISOString(), count: result.skipped.count, countExact: result.skipped.countExact },
    nextRunAt: result.nextRunAt?.toISOString() ?? null,
  };
}

const minute = (m: number): string => `2026-06-01T12:${String(m).padStart(2, '0')}:00.000Z`;
const minutes = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => minute(from + i));

describe('ten minutes down with an every-minute schedule (12:00 fired, back at 12:10:30)', () => {
  describe.each([
    ['cron * * * * *', { cron: '* * * * *' }],
    ['interval_seconds 60', { intervalSeconds: 60, startAt: at(minute(0)) }],
  ] as const)('%s', (_label, timing) => {
    it('skip: fires none of the ten late occurrences and records all ten as one skipped range', () => {
      expect(readable(plan({ ...timing, missedPolicy: 'skip' }, minute(1), '2026-06-01T12:10:30Z'))).toEqual({
        fire: [],
        skipped: { first: minute(1), last: minute(10), count: 10, countExact: true },
        nextRunAt: minute(11),
      });
    });

    it('latest: fires the most recent one, 12:10, and skips the nine before it', () => {
      const result = plan({ ...timing, missedPolicy: 'latest' }, minute(1), '2026-06-01T12:10:30Z');
      expect(readable(result)).toEqual({ fire: [minute(10)], skipped: { first: minute(1), last: minute(9), count: 9, countExact: true }, nextRunAt: minute(11) });
      expect(result.fire[0]).toMatchObject({ late: true, lagMs: 30_000 });
    });

    it('all: fires all ten, oldest first', () => {
      expect(readable(plan({ ...timing, missedPolicy: 'all', maxCatchup: 10 }, minute(1), '2026-06-01T12:10:30Z'))).toEqual({
        fire: minutes(1, 10),
        skipped: null,
        nextRunAt: minute(11),
      });
    });

    it('all with max_catchup 4: fires the four most recent and records the six older ones as skipped', () => {
      expect(readable(plan({ ...timing, missedPolicy: 'all', maxCatchup: 4 }, minute(1), '2026-06-01T12:10:30Z'))).toEqual({
        fire: minutes(7, 10),
        skipped: { first: minute(1), last: minute(6), count: 6, countExact: true },
        nextRunAt: minute(11),
      });
    });
  });
});

describe('on time is not missed', () => {
  it('back at 12:10:04: the occurrence due at 12:10 is on time and fires even under skip', () => {
    const result = plan({ cron: '* * * * *', missedPolicy: 'skip' }, minute(1), '2026-06-01T12:10:04Z');
    expect(readable(result)).toEqual({ fire: [minute(10)], skipped: { first: minute(1), last: minute(9), count: 9, countExact: true }, nextRunAt: minute(11) });
    expect(result.fire[0]).toMatchObject({ late: false, lagMs: 4_000 });
  });

  it('latest with an on-time occurrence fires that one only', () => {
    expect(readable(plan({ cron: '* * * * *', missedPolicy: 'latest' }, minute(1), '2026-06-01T12:10:04Z')).fire).toEqual([minute(10)]);
  });

  it('in normal running, the due occurrence fires and the next one is not yet due', () => {
    expect(readable(plan({ cron: '* * * * *' }, minute(10), '2026-06-01T12:10:00.300Z'))).toEqual({ fire: [minute(10)], skipped: null, nextRunAt: minute(11) });
    expect(readable(plan({ cron: '* * * * *' }, minute(10), '2026-06-01T12:09:59.999Z'))).toEqual({ fire: [], skipped: null, nextRunAt: minute(10) });
  });

  it('an every-second schedule a few seconds behind fires every occurrence it owes', () => {
    const result = plan({ intervalSeconds: 1, startAt: at('2026-06-01T12:00:00Z') }, '2026-06-01T12:00:00Z', '2026-06-01T12:00:03.500Z');
    expect(result.fire.map((due) => due.occurrence.toISOString())).toEqual(['2026-06-01T12:00:00.000Z', '2026-06-01T12:00:01.000Z', '2026-06-01T12:00:02.000Z', '2026-06-01T12:00:03.000Z']);
    expect(result.skipped).toBeNull();
  });

  it('lateness grows with the period: a daily run 5 minutes late still fires under skip, 3 hours late it is missed', () => {
    const daily = { cron: '0 6 * * *', missedPolicy: 'skip' } as const;
    expect(readable(plan(daily, '2026-06-01T06:00:00Z', '2026-06-01T06:05:00Z')).fire).toEqual(['2026-06-01T06:00:00.000Z']);
    expect(readable(plan(daily, '2026-06-01T06:00:00Z', '2026-06-01T09:00:00Z'))).toEqual({
      fire: [],
      skipped: { first: '2026-06-01T06:00:00.000Z', last: '2026-06-01T06:00:00.000Z', count: 1, countExact: true },
      nextRunAt: '2026-06-02T06:00:00.000Z',
    });
  });
});

describe('long outages are ranges, not lists', () => {
  const start = '2026-06-01T00:00:00.000Z';
  const tenDaysLater = '2026-06-11T00:00:00.000Z';

  it('ten days down with interval_seconds 1: 864,000 late occurrences, counted exactly, without listing them', () => {
    const result = plan({ intervalSeconds: 1, startAt: at(start), missedPolicy: 'skip' }, start, tenDaysLater);
    // The last ten seconds (lag up to the 10 s grace) are on time and fire; 863,990 are skipped.
    expect(result.fire).toHaveLength(11);
    expect(result.fire[0]?.occurrence.toISOString()).toBe('2026-06-10T23:59:50.000Z');
    expect(readable(result).skipped).toEqual({ first: start, last: '2026-06-10T23:59:49.000Z', count: 863_990, countExact: true });
    expect(result.nextRunAt?.toISOString()).toBe('2026-06-11T00:00:01.000Z');
  });

  it('all with max_catchup 3 after ten days: the three most recent late ones fire, the rest is one range', () => {
    const result = plan({ intervalSeconds: 1, startAt: at(start), missedPolicy: 'all', maxCatchup: 3 }, start, tenDaysLater);
    expect(result.fire.slice(0, 3).map((due) => due.occurrence.toISOString())).toEqual(['2026-06-10T23:59:47.000Z', '2026-06-10T23:59:48.000Z', '2026-06-10T23:59:49.000Z']);
    expect(result.fire.slice(0, 3).every((due) => due.late)).toBe(true);
    expect(readable(result).skipped).toEqual({ first: start, last: '2026-06-10T23:59:46.000Z', count: 863_987, countExact: true });
  });

  it('ten days down with a 6-field every-second cron: the range is exact at both ends, its count a lower bound', () => {
    const result = plan({ cron: '* * * * * *', missedPolicy: 'latest' }, start, '2026-06-11T00:00:30Z');
    expect(result.fire.map((due) => due.occurrence.toISOString())).toEqual(
      Array.from({ length: 11 }, (_, i) => `2026-06-11T00:00:${String(20 + i)}.000Z`),
    );
    expect(readable(result).skipped).toMatchObject({ first: start, last: '2026-06-11T00:00:19.000Z', countExact: false });
    // 864,020 were skipped; the count is a lower bound, reached without walking them all.
    expect(result.skipped?.count).toBeGreaterThanOrEqual(SKIPPED_COUNT_LIMIT);
    expect(result.skipped?.count).toBeLessThan(864_020);
    expect(result.nextRunAt?.toISOString()).toBe('2026-06-11T00:00:31.000Z');
  });
});

describe('jitter and the end of a schedule', () => {
  it('an occurrence fires at occurrence + its jitter, not before; next_run_at stays until then', () => {
    const occurrence = at('2026-06-01T06:00:00Z');
    const offset = jitterOffsetMs(42, occurrence, 600);
    const fireAt = new Date(occurrence.getTime() + offset);
    const timing = { cron: '0 6 * * *', jitterSeconds: 600 } as const;

    const early = plan(timing, occurrence.toISOString(), new Date(fireAt.getTime() - 1).toISOString(), 42);
    expect(early).toEqual({ fire: [], skipped: null, nextRunAt: occurrence, nextFireAt: fireAt });
    const due = plan(timing, occurrence.toISOString(), fireAt.toISOString(), 42);
    expect(due.fire).toEqual([{ occurrence, fireAt, lagMs: 0, late: false }]);
    expect(due.nextRunAt?.toISOString()).toBe('2026-06-02T06:00:00.000Z');
  });

  it('lateness is measured from the jittered fire time', () => {
    const occurrence = at('2026-06-01T12:00:00Z');
    const offset = jitterOffsetMs(9, occurrence, 50);
    const now = new Date(occurrence.getTime() + offset + 9_000).toISOString();
    const result = plan({ cron: '* * * * *', jitterSeconds: 50 }, occurrence.toISOString(), now, 9);
    expect(result.fire[0]).toMatchObject({ occurrence, late: false, lagMs: 9_000 });
  });

  it('after end_at there is nothing more: next_run_at becomes null', () => {
    const timing = { cron: '0 * * * *', endAt: at('2026-06-01T12:00:00Z') };
    expect(readable(plan(timing, '2026-06-01T11:00:00Z', '2026-06-01T11:00:01Z'))).toEqual({ fire: ['2026-06-01T11:00:00.000Z'], skipped: null, nextRunAt: null });
    expect(plan(timing, null, '2026-06-01T13:00:00Z')).toEqual({ fire: [], skipped: null, nextRunAt: null, nextFireAt: null });
  });
});
