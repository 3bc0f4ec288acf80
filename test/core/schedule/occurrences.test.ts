import { describe, expect, it } from 'vitest';
import { createCronerEngine } from '../../../src/adapters/schedule/croner-engine.js';
import {
  countOccurrences,
  firstOccurrenceAtOrAfter,
  latestOccurrenceAtOrBefore,
  nextOccurrence,
} from '../../../src/core/schedule/occurrences.js';
import { compileTiming, type ScheduleTiming, type ScheduleTimingSpec } from '../../../src/core/schedule/timing.js';

const engine = createCronerEngine();
const timing = (spec: Partial<ScheduleTimingSpec>): ScheduleTiming =>
  compileTiming(engine, { createdAt: new Date('2026-01-01T00:00:00Z'), ...spec });
const at = (iso: string): Date => new Date(iso);
const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

function firstN(t: ScheduleTiming, from: Date, n: number): string[] {
  const out: string[] = [];
  let occurrence = firstOccurrenceAtOrAfter(t, from);
  while (occurrence !== null && out.length < n) {
    out.push(occurrence.toISOString());
    occurrence = nextOccurrence(t, occurrence);
  }
  return out;
}

describe('interval occurrences', () => {
  it('interval_seconds: 1 fires every second from its anchor', () => {
    const t = timing({ intervalSeconds: 1, createdAt: at('2026-01-01T00:00:00.400Z') });
    expect(firstN(t, at('2025-12-31T00:00:00Z'), 3)).toEqual(['2026-01-01T00:00:01.000Z', '2026-01-01T00:00:02.000Z', '2026-01-01T00:00:03.000Z']);
    expect(iso(nextOccurrence(t, at('2026-01-01T00:10:00.500Z')))).toBe('2026-01-01T00:10:01.000Z');
  });

  it('counts from start_at, not from the hour', () => {
    const t = timing({ intervalSeconds: 7 * 60, startAt: at('2026-03-01T10:03:00Z') });
    expect(firstN(t, at('2026-01-01T00:00:00Z'), 3)).toEqual(['2026-03-01T10:03:00.000Z', '2026-03-01T10:10:00.000Z', '2026-03-01T10:17:00.000Z']);
    expect(iso(firstOccurrenceAtOrAfter(t, at('2026-03-01T10:10:00Z')))).toBe('2026-03-01T10:10:00.000Z');
    expect(iso(nextOccurrence(t, at('2026-03-01T10:10:00Z')))).toBe('2026-03-01T10:17:00.000Z');
  });

  it('keeps its spacing in real time across DST: an interval has no wall clock', () => {
    const t = timing({ intervalSeconds: 3600, timeZone: 'Europe/Stockholm', startAt: at('2026-03-29T00:00:00Z') });
    expect(firstN(t, at('2026-03-29T00:00:00Z'), 3)).toEqual(['2026-03-29T00:00:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-29T02:00:00.000Z']);
  });
});

describe('start_at and end_at', () => {
  it('start_at delays a cron schedule: nothing before it, an occurrence exactly at it counts', () => {
    const t = timing({ cron: '0 * * * *', startAt: at('2026-05-01T09:00:00Z') });
    expect(iso(nextOccurrence(t, at('2026-01-01T00:00:00Z')))).toBe('2026-05-01T09:00:00.000Z');
    expect(iso(latestOccurrenceAtOrBefore(t, at('2026-05-01T08:59:59Z')))).toBeNull();
  });

  it('end_at stops occurrences: one exactly at end_at does not happen', () => {
    const t = timing({ cron: '0 * * * *', endAt: at('2026-05-01T12:00:00Z') });
    expect(firstN(t, at('2026-05-01T10:00:00Z'), 5)).toEqual(['2026-05-01T10:00:00.000Z', '2026-05-01T11:00:00.000Z']);
    expect(iso(latestOccurrenceAtOrBefore(t, at('2026-06-01T00:00:00Z')))).toBe('2026-05-01T11:00:00.000Z');
    const interval = timing({ intervalSeconds: 60, startAt: at('2026-05-01T11:58:00Z'), endAt: at('2026-05-01T12:00:00Z') });
    expect(firstN(interval, at('2026-05-01T00:00:00Z'), 5)).toEqual(['2026-05-01T11:58:00.000Z', '2026-05-01T11:59:00.000Z']);
  });
});

describe('resuming', () => {
  it('the first occurrence at or after the resume instant: the paused span is not owed', () => {
    const t = timing({ cron: '*/5 * * * *' });
    expect(iso(firstOccurrenceAtOrAfter(t, at('2026-02-01T10:02:13Z')))).toBe('2026-02-01T10:05:00.000Z');
    expect(iso(firstOccurrenceAtOrAfter(t, at('2026-02-01T10:05:00Z')))).toBe('2026-02-01T10:05:00.000Z');
  });
});

describe('countOccurrences', () => {
  it('counts an interval in constant time, however many', () => {
    const t = timing({ intervalSeconds: 1 });
    expect(countOccurrences(t, at('2026-01-01T00:00:00Z'), at('2026-01-10T23:59:59Z'), 10)).toEqual({ count: 864_000, exact: true });
  });

  it('counts a cron sequence up to the limit, then says "at least"', () => {
    const t = timing({ cron: '* * * * *' });
    expect(countOccurrences(t, at('2026-01-01T00:00:00Z'), at('2026-01-01T00:09:00Z'), 100)).toEqual({ count: 10, exact: true });
    expect(countOccurrences(t, at('2026-01-01T00:00:00Z'), at('2026-01-01T00:09:00Z'), 10)).toEqual({ count: 10, exact: true });
    expect(countOccurrences(t, at('2026-01-01T00:00:00Z'), at('2026-01-01T00:09:00Z'), 4)).toEqual({ count: 4, exact: false });
  });
});
