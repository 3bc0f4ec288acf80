import { describe, expect, it } from 'vitest';
import { fireTime, jitterOffsetMs } from '../../../src/core/schedule/jitter.js';

const hourly = (i: number): Date => new Date(Date.UTC(2026, 0, 1) + i * 3_600_000);

describe('deterministic jitter', () => {
  it('is the same for the same schedule and occurrence, on every call (and so on every node)', () => {
    const occurrence = new Date('2026-03-29T01:00:00Z');
    expect(jitterOffsetMs('schedule-12', occurrence, 300)).toBe(jitterOffsetMs('schedule-12', new Date(occurrence.getTime()), 300));
    expect(jitterOffsetMs(12, occurrence, 300)).toBe(jitterOffsetMs('12', occurrence, 300));
  });

  it('stays within [0, jitter_seconds) and is 0 without jitter', () => {
    for (let i = 0; i < 2_000; i += 1) {
      const offset = jitterOffsetMs(i % 7, hourly(i), 5);
      expect(offset).toBeGreaterThanOrEqual(0);
      expect(offset).toBeLessThan(5_000);
      expect(Number.isInteger(offset)).toBe(true);
    }
    expect(jitterOffsetMs(1, hourly(0), 0)).toBe(0);
    expect(fireTime(1, hourly(3), 0)).toEqual(hourly(3));
  });

  it('spreads occurrences across the whole window', () => {
    const buckets = Array.from({ length: 10 }, () => 0);
    for (let i = 0; i < 5_000; i += 1) buckets[Math.floor(jitterOffsetMs('s', hourly(i), 60) / 6_000)]! += 1;
    // 500 expected per bucket; a fair spread stays well inside these bounds.
    for (const count of buckets) {
      expect(count).toBeGreaterThan(400);
      expect(count).toBeLessThan(600);
    }
  });

  it('differs between schedules firing at the same instant, so they do not all fire together', () => {
    const offsets = new Set(Array.from({ length: 100 }, (_, id) => jitterOffsetMs(id, hourly(0), 60)));
    expect(offsets.size).toBeGreaterThan(90);
  });

  it('fires at the occurrence plus the offset', () => {
    const occurrence = hourly(5);
    expect(fireTime('a', occurrence, 120).getTime() - occurrence.getTime()).toBe(jitterOffsetMs('a', occurrence, 120));
  });
});
