import { describe, expect, it } from 'vitest';
import { createCronerEngine } from '../../../src/adapters/schedule/croner-engine.js';
import { ScheduleTimingError } from '../../../src/core/schedule/timing-error.js';
import { compileTiming, type ScheduleTimingSpec } from '../../../src/core/schedule/timing.js';

const engine = createCronerEngine();
const createdAt = new Date('2026-01-01T12:00:00.250Z');

function issuesOf(spec: Omit<ScheduleTimingSpec, 'createdAt'>): unknown {
  try {
    compileTiming(engine, { createdAt, ...spec });
  } catch (error) {
    if (error instanceof ScheduleTimingError) return error.issues.map(({ field, code }) => ({ field, code }));
    throw error;
  }
  return [];
}

describe('compileTiming', () => {
  it('defaults: UTC, no jitter, skip, catch-up of 10', () => {
    const timing = compileTiming(engine, { cron: '0 * * * *', createdAt });
    expect(timing).toMatchObject({ kind: 'cron', jitterSeconds: 0, missedPolicy: 'skip', maxCatchup: 10, startAt: null, endAt: null });
    expect(timing.zone.name).toBe('UTC');
  });

  it('an interval is anchored at start_at, else at creation, moved up to a whole second', () => {
    expect(compileTiming(engine, { intervalSeconds: 30, createdAt })).toMatchObject({ kind: 'interval', anchor: new Date('2026-01-01T12:00:01Z') });
    const startAt = new Date('2026-02-01T00:00:00Z');
    expect(compileTiming(engine, { intervalSeconds: 30, createdAt, startAt })).toMatchObject({ anchor: startAt });
  });

  it('reports every problem at once, each naming its field', () => {
    expect(
      issuesOf({
        cron: '61 * * * *',
        timeZone: 'Europe/Stockhom',
        jitterSeconds: -1,
        maxCatchup: 0,
        startAt: new Date('2026-02-01T00:00:00Z'),
        endAt: new Date('2026-01-01T00:00:00Z'),
      }),
    ).toEqual([
      { field: 'time_zone', code: 'UNKNOWN_TIME_ZONE' },
      { field: 'jitter_seconds', code: 'INVALID_TIMING' },
      { field: 'max_catchup', code: 'INVALID_TIMING' },
      { field: 'end_at', code: 'INVALID_TIMING' },
    ]);
    // With a zone it can read, the expression is read too.
    expect(issuesOf({ cron: '61 * * * *', timeZone: 'Europe/Stockholm' })).toEqual([{ field: 'cron', code: 'INVALID_CRON' }]);
  });

  it.each([
    [{}, 'cron'],
    [{ cron: '* * * * *', intervalSeconds: 5 }, 'interval_seconds'],
    [{ intervalSeconds: 0 }, 'interval_seconds'],
    [{ intervalSeconds: 1.5 }, 'interval_seconds'],
    [{ intervalSeconds: 1, jitterSeconds: 86_401 }, 'jitter_seconds'],
    [{ intervalSeconds: 1, maxCatchup: 1_001 }, 'max_catchup'],
    [{ intervalSeconds: 1, missedPolicy: 'sometimes' as never }, 'missed_policy'],
    [{ intervalSeconds: 1, startAt: new Date('nope') }, 'start_at'],
  ])('refuses %o naming %s', (spec, field) => {
    expect(issuesOf(spec)).toEqual([{ field, code: 'INVALID_TIMING' }]);
  });

  it('refuses an expression that names no date that exists', () => {
    expect(issuesOf({ cron: '0 0 30 2 *' })).toEqual([{ field: 'cron', code: 'CRON_NEVER_OCCURS' }]);
  });

  it('accepts interval_seconds of 1 and the limits of jitter and catch-up', () => {
    expect(issuesOf({ intervalSeconds: 1, jitterSeconds: 86_400, maxCatchup: 1_000, missedPolicy: 'all' })).toEqual([]);
  });
});
