import { describe, expect, it } from 'vitest';
import { createCronerEngine } from '../../../src/adapters/schedule/croner-engine.js';
import { fireTime } from '../../../src/core/schedule/jitter.js';
import { previewOccurrences } from '../../../src/core/schedule/preview.js';
import { compileTiming, type ScheduleTimingSpec } from '../../../src/core/schedule/timing.js';

const engine = createCronerEngine();
const timing = (spec: Partial<ScheduleTimingSpec>) => compileTiming(engine, { createdAt: new Date('2026-01-01T00:00:00Z'), ...spec });
const brief = (spec: Partial<ScheduleTimingSpec>, from: string, count: number) =>
  previewOccurrences(timing(spec), new Date(from), count).map(({ utc, local, dstAdjustment }) => ({ utc, local, dstAdjustment }));

describe('previewOccurrences', () => {
  it('shows UTC and local time with its offset, flagging the occurrence moved out of the gap', () => {
    expect(brief({ cron: '30 2 * * *', timeZone: 'Europe/Stockholm' }, '2026-03-28T00:00:00Z', 3)).toEqual([
      { utc: '2026-03-28T01:30:00.000Z', local: '2026-03-28T02:30:00+01:00', dstAdjustment: null },
      { utc: '2026-03-29T01:00:00.000Z', local: '2026-03-29T03:00:00+02:00', dstAdjustment: 'shifted_out_of_gap' },
      { utc: '2026-03-30T00:30:00.000Z', local: '2026-03-30T02:30:00+02:00', dstAdjustment: null },
    ]);
  });

  it('flags a wall-clock time that happens twice and fires once', () => {
    expect(brief({ cron: '30 2 * * *', timeZone: 'Europe/Stockholm' }, '2026-10-24T00:00:00Z', 3)).toEqual([
      { utc: '2026-10-24T00:30:00.000Z', local: '2026-10-24T02:30:00+02:00', dstAdjustment: null },
      { utc: '2026-10-25T00:30:00.000Z', local: '2026-10-25T02:30:00+02:00', dstAdjustment: 'repeated_time_fired_once' },
      { utc: '2026-10-26T01:30:00.000Z', local: '2026-10-26T02:30:00+01:00', dstAdjustment: null },
    ]);
    expect(brief({ cron: '30 1 * * *', timeZone: 'America/New_York' }, '2026-11-01T00:00:00Z', 1)).toEqual([
      { utc: '2026-11-01T05:30:00.000Z', local: '2026-11-01T01:30:00-04:00', dstAdjustment: 'repeated_time_fired_once' },
    ]);
  });

  it('does not flag an expression that follows real time: both passes of the hour are real occurrences', () => {
    const previewed = brief({ cron: '0,30 * * * *', timeZone: 'Australia/Sydney' }, '2026-04-04T15:00:00Z', 4);
    expect(previewed.map(({ local }) => local)).toEqual([
      '2026-04-05T02:00:00+11:00',
      '2026-04-05T02:30:00+11:00',
      '2026-04-05T02:00:00+10:00',
      '2026-04-05T02:30:00+10:00',
    ]);
    expect(previewed.every(({ dstAdjustment }) => dstAdjustment === null)).toBe(true);
  });

  it('counts from `from` inclusive, stops at end_at, and gives fire times when a schedule id is given', () => {
    const t = timing({ intervalSeconds: 3600, startAt: new Date('2026-05-01T00:00:00Z'), endAt: new Date('2026-05-01T02:30:00Z'), jitterSeconds: 60, timeZone: 'Asia/Kolkata' });
    const previewed = previewOccurrences(t, new Date('2026-05-01T00:00:00Z'), 10, 'sched-1');
    expect(previewed.map(({ local }) => local)).toEqual(['2026-05-01T05:30:00+05:30', '2026-05-01T06:30:00+05:30', '2026-05-01T07:30:00+05:30']);
    expect(previewed[1]?.fireAt).toEqual(fireTime('sched-1', new Date('2026-05-01T01:00:00Z'), 60));
  });
});
