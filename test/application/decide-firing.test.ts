import { describe, expect, it } from 'vitest';
import { decideFiring } from '../../src/application/scheduler/decide-firing.js';
import { nextRunFrom, timingOf } from '../../src/application/scheduler/schedule-timing.js';
import { createCronerEngine } from '../../src/adapters/schedule/croner-engine.js';
import { scheduleDefinition } from '../support/schedule-definition.js';
import type { Schedule, ScheduleDefinition } from '../../src/core/schedule-repository.js';

const engine = createCronerEngine();
const SECOND = 1_000;

function scheduleOf(extra: Partial<ScheduleDefinition>, createdAt: Date): Schedule {
  const definition = scheduleDefinition('dst', 'dst', { cron: '30 2 * * *', ...extra });
  const next = nextRunFrom(timingOf(engine, definition, createdAt), definition, createdAt);
  return {
    ...definition,
    id: '1',
    pausedAt: null,
    pausedReason: null,
    pausedUntil: null,
    nextRunAt: next.nextRunAt,
    fireAt: next.fireAt,
    bufferedAt: null,
    lastOccurrenceAt: null,
    lastJobId: null,
    createdAt,
    updatedAt: createdAt,
    deletedAt: null,
  };
}

/**
 * A scheduler polling every `stepMs` from `from` to `to`, with the clock injected: applies each
 * decision as the storage layer would and returns every occurrence fired.
 */
function simulate(extra: Partial<ScheduleDefinition>, from: string, to: string, stepMs = 30 * SECOND): string[] {
  let schedule = scheduleOf(extra, new Date(from));
  const fired: string[] = [];
  for (let now = Date.parse(from); now <= Date.parse(to); now += stepMs) {
    if (schedule.fireAt === null || schedule.fireAt.getTime() > now) continue;
    const decision = decideFiring(engine, { schedule, previousJobState: null }, new Date(now));
    fired.push(...decision.fire.map((f) => f.occurrence.toISOString()));
    expect(decision.skipped).toEqual([]);
    schedule = { ...schedule, nextRunAt: decision.next.nextRunAt, fireAt: decision.next.fireAt, bufferedAt: decision.bufferedAt };
  }
  return fired;
}

describe('firing across daylight-saving changes, pass by pass with an injected clock', () => {
  it.each([
    // 02:30 does not exist: fired once, at the first instant after the gap (03:00 local).
    ['Europe/Stockholm', '30 2 * * *', '2026-03-28T00:00:00Z', '2026-03-30T23:59:00Z', ['2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']],
    // 02:30 happens twice: fired once, on the first pass.
    ['Europe/Stockholm', '30 2 * * *', '2026-10-24T00:00:00Z', '2026-10-26T23:59:00Z', ['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']],
    ['America/New_York', '30 2 * * *', '2026-03-07T00:00:00Z', '2026-03-09T23:59:00Z', ['2026-03-07T07:30:00.000Z', '2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z']],
    // On 2026-11-01 New York repeats 01:00-02:00: 01:30 happens twice, fired once.
    ['America/New_York', '30 1 * * *', '2026-10-31T00:00:00Z', '2026-11-02T23:59:00Z', ['2026-10-31T05:30:00.000Z', '2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']],
    // Sydney's gap, 2026-10-04 02:00 -> 03:00 (AEST +10 to AEDT +11): 02:30 fires at 03:00 AEDT.
    ['Australia/Sydney', '30 2 * * *', '2026-10-03T00:00:00Z', '2026-10-05T23:59:00Z', ['2026-10-03T16:00:00.000Z', '2026-10-04T15:30:00.000Z', '2026-10-05T15:30:00.000Z']],
    // Sydney's repeat, 2026-04-05 03:00 -> 02:00: 02:30 comes twice, fired on the first (AEDT) pass.
    ['Australia/Sydney', '30 2 * * *', '2026-04-04T00:00:00Z', '2026-04-06T23:59:00Z', ['2026-04-04T15:30:00.000Z', '2026-04-05T16:30:00.000Z', '2026-04-06T16:30:00.000Z']],
  ])('%s %s from %s fires once a day', (timeZone, cron, from, to, expected) => {
    expect(simulate({ timeZone, cron }, from, to)).toEqual(expected);
  });

  it('keeps */15 at fifteen real minutes through both Stockholm transitions', () => {
    for (const [from, to] of [
      ['2026-03-28T23:00:00Z', '2026-03-29T03:00:00Z'],
      ['2026-10-24T23:00:00Z', '2026-10-25T03:00:00Z'],
    ] as const) {
      const fired = simulate({ timeZone: 'Europe/Stockholm', cron: '*/15 * * * *' }, from, to, 10 * SECOND).map((iso) => Date.parse(iso));
      // Four real hours, both ends included.
      expect(fired.length).toBe(17);
      expect(fired.every((at, i) => i === 0 || at - fired[i - 1]! === 15 * 60 * SECOND)).toBe(true);
    }
  });
});
