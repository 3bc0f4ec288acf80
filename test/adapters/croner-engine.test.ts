import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCronerEngine } from '../../src/adapters/schedule/croner-engine.js';
import type { CronSequence } from '../../src/core/schedule/cron-engine.js';
import { ScheduleTimingError } from '../../src/core/schedule/timing-error.js';

const engine = createCronerEngine();
const sequence = (expression: string, zone = 'UTC'): CronSequence => engine.parse(expression, engine.zone(zone));

/** Every occurrence from `from` (exclusive) to `to` (inclusive), as ISO strings. */
function between(seq: CronSequence, from: string, to: string): string[] {
  const out: string[] = [];
  let at = seq.nextAfter(new Date(from));
  while (at !== null && at <= new Date(to)) {
    out.push(at.toISOString());
    at = seq.nextAfter(at);
  }
  return out;
}

describe('DST: an expression naming a wall-clock time fires once a day across both transitions', () => {
  // Zone data (checked with Intl against the offsets either side): Stockholm springs forward
  // 02:00 CET -> 03:00 CEST on 2026-03-29 and falls back 03:00 CEST -> 02:00 CET on 2026-10-25;
  // New York 02:00 EST -> 03:00 EDT on 2026-03-08 and 02:00 EDT -> 01:00 EST on 2026-11-01;
  // Sydney 02:00 AEST -> 03:00 AEDT on 2026-10-04 and 03:00 AEDT -> 02:00 AEST on 2026-04-05.
  it.each([
    // zone, expression, occurrences on the day before, the gap day (first instant after the gap), the day after
    ['Europe/Stockholm', '30 2 * * *', ['2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']],
    ['America/New_York', '30 2 * * *', ['2026-03-07T07:30:00.000Z', '2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z']],
    ['Australia/Sydney', '30 2 * * *', ['2026-10-02T16:30:00.000Z', '2026-10-03T16:00:00.000Z', '2026-10-04T15:30:00.000Z']],
  ] as const)('%s %s: 02:30 does not exist on the gap day, so it fires at 03:00 local', (zone, expression, expected) => {
    const seq = sequence(expression, zone);
    const from = new Date(new Date(expected[0]).getTime() - 1000).toISOString();
    expect(between(seq, from, expected[2])).toEqual(expected);
  });

  it.each([
    // zone, expression (the wall-clock time that happens twice), the three days' occurrences
    ['Europe/Stockholm', '30 2 * * *', ['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']],
    // New York repeats 01:00-02:00, so 02:30 happens once there; 01:30 is the time that repeats.
    ['America/New_York', '30 1 * * *', ['2026-10-31T05:30:00.000Z', '2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']],
    ['Australia/Sydney', '30 2 * * *', ['2026-04-03T15:30:00.000Z', '2026-04-04T15:30:00.000Z', '2026-04-05T16:30:00.000Z']],
  ] as const)('%s %s: the repeated wall-clock time fires once, on its first pass', (zone, expression, expected) => {
    const seq = sequence(expression, zone);
    const from = new Date(new Date(expected[0]).getTime() - 3_600_000).toISOString();
    expect(between(seq, from, expected[2])).toEqual(expected);
  });

  it('asking from between the two passes of a repeated time does not produce the second pass', () => {
    const seq = sequence('30 2 * * *', 'Europe/Stockholm');
    // 00:30Z is 02:30 CEST (first pass), 01:30Z would be 02:30 CET (second pass).
    expect(seq.nextAfter(new Date('2026-10-25T01:00:00Z'))?.toISOString()).toBe('2026-10-26T01:30:00.000Z');
    expect(seq.latestAtOrBefore(new Date('2026-10-25T01:45:00Z'))?.toISOString()).toBe('2026-10-25T00:30:00.000Z');
  });

  it('2026-11-01 in New York: 02:30 (after the repeated hour) happens once and fires once', () => {
    expect(between(sequence('30 2 * * *', 'America/New_York'), '2026-10-31T12:00:00Z', '2026-11-02T12:00:00Z')).toEqual([
      '2026-11-01T07:30:00.000Z',
      '2026-11-02T07:30:00.000Z',
    ]);
  });

  it('a list of hours is wall-clock too: 02:30 in the gap moves to 03:00, and fires once on fall-back day', () => {
    const seq = sequence('30 2,14 * * *', 'Europe/Stockholm');
    expect(between(seq, '2026-03-28T22:00:00Z', '2026-03-29T21:59:59Z')).toEqual(['2026-03-29T01:00:00.000Z', '2026-03-29T12:30:00.000Z']);
    expect(between(seq, '2026-10-24T22:00:00Z', '2026-10-25T22:59:59Z')).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-25T13:30:00.000Z']);
  });
});

describe('DST: an expression stepping through the hour keeps real-time spacing', () => {
  const fifteenMinutes = 15 * 60_000;

  it.each([
    ['Europe/Stockholm', '2026-03-28T23:00:00Z', '2026-03-29T03:00:00Z'],
    ['Europe/Stockholm', '2026-10-24T23:00:00Z', '2026-10-25T03:00:00Z'],
    ['America/New_York', '2026-03-08T05:00:00Z', '2026-03-08T09:00:00Z'],
    ['America/New_York', '2026-11-01T04:00:00Z', '2026-11-01T08:00:00Z'],
    ['Australia/Sydney', '2026-10-03T14:00:00Z', '2026-10-03T18:00:00Z'],
    ['Australia/Sydney', '2026-04-04T14:00:00Z', '2026-04-04T18:00:00Z'],
  ])('*/15 * * * * in %s from %s to %s: every 15 real minutes, none lost or doubled', (zone, from, to) => {
    const got = between(sequence('*/15 * * * *', zone), from, to).map((iso) => new Date(iso).getTime());
    const span = new Date(to).getTime() - new Date(from).getTime();
    expect(got).toHaveLength(span / fifteenMinutes);
    for (let i = 1; i < got.length; i += 1) expect((got[i] ?? 0) - (got[i - 1] ?? 0)).toBe(fifteenMinutes);
  });

  it('fires in both passes of the repeated hour, each shown with its own offset', () => {
    const zone = engine.zone('Europe/Stockholm');
    const occurrences = between(sequence('*/15 * * * *', 'Europe/Stockholm'), '2026-10-24T23:59:59Z', '2026-10-25T01:59:59Z');
    expect(occurrences).toHaveLength(8);
    expect(occurrences.map((iso) => zone.offsetMinutes(new Date(iso)))).toEqual([120, 120, 120, 120, 60, 60, 60, 60]);
  });
});

describe('expressions', () => {
  it('6 fields put seconds first', () => {
    expect(between(sequence('*/20 * * * * *'), '2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z')).toEqual([
      '2026-01-01T00:00:20.000Z',
      '2026-01-01T00:00:40.000Z',
      '2026-01-01T00:01:00.000Z',
    ]);
  });

  it('the next occurrence is strictly after the instant, milliseconds included', () => {
    const seq = sequence('* * * * * *');
    expect(seq.nextAfter(new Date('2026-01-01T00:00:05.000Z'))?.toISOString()).toBe('2026-01-01T00:00:06.000Z');
    expect(seq.nextAfter(new Date('2026-01-01T00:00:05.400Z'))?.toISOString()).toBe('2026-01-01T00:00:06.000Z');
    expect(seq.latestAtOrBefore(new Date('2026-01-01T00:00:05.000Z'))?.toISOString()).toBe('2026-01-01T00:00:05.000Z');
    expect(seq.latestAtOrBefore(new Date('2026-01-01T00:00:04.999Z'))?.toISOString()).toBe('2026-01-01T00:00:04.000Z');
  });

  it('says which expressions name wall-clock times', () => {
    expect(sequence('30 2 * * *').followsWallClock).toBe(true);
    expect(sequence('0 30 2 * * 1-5').followsWallClock).toBe(true);
    expect(sequence('30 2,14 * * *').followsWallClock).toBe(true);
    expect(sequence('*/15 * * * *').followsWallClock).toBe(false);
    expect(sequence('30 * * * *').followsWallClock).toBe(false);
    expect(sequence('*/20 2 * * *').followsWallClock).toBe(false);
    expect(sequence('* 30 2 * * *').followsWallClock).toBe(false);
  });

  it.each([
    ['61 * * * *', /minute/],
    ['* * * *', /4 fields/],
    ['* * * * * * *', /7 fields/],
    ['', /1 field/],
    ['@daily', /1 field/],
    ['0 0 * * MOO', /not a cron expression/],
  ])('refuses %j naming the cron field', (expression, message) => {
    const error = captureTimingError(() => sequence(expression));
    expect(error.issues).toEqual([{ field: 'cron', code: 'INVALID_CRON', message: expect.stringMatching(message) as unknown }]);
  });

  it.each(['Mars/Olympus_Mons', 'Europe/Stockhom', '+02:00', 'not a zone', ''])('refuses the zone %j naming time_zone', (zone) => {
    const error = captureTimingError(() => engine.zone(zone));
    expect(error.issues).toEqual([{ field: 'time_zone', code: 'UNKNOWN_TIME_ZONE', message: expect.stringContaining('IANA') as unknown }]);
  });

  it('reads zone offsets at an instant', () => {
    expect(engine.zone('Europe/Stockholm').offsetMinutes(new Date('2026-07-01T00:00:00Z'))).toBe(120);
    expect(engine.zone('America/New_York').offsetMinutes(new Date('2026-01-01T00:00:00Z'))).toBe(-300);
    expect(engine.zone('Asia/Kolkata').offsetMinutes(new Date('2026-01-01T00:00:00Z'))).toBe(330);
    expect(engine.zone('UTC').offsetMinutes(new Date('2026-01-01T00:00:00Z'))).toBe(0);
  });
});

describe('latestAtOrBefore agrees with the forward sequence', () => {
  const expressions = ['30 2 * * *', '*/15 * * * *', '0 1-5 * * *', '30 2,14 * * *', '0 */7 * * *', '15 30 2 * * 0'];
  const zones = ['Europe/Stockholm', 'America/New_York', 'Australia/Sydney', 'UTC'];
  // Instants around the 2026 transitions of the three zones.
  const instant = fc.constantFrom('2026-03-08T07:00:00Z', '2026-03-29T01:00:00Z', '2026-04-04T16:00:00Z', '2026-10-03T16:00:00Z', '2026-10-25T01:00:00Z', '2026-11-01T06:00:00Z')
    .chain((center) => fc.integer({ min: -30 * 3600, max: 30 * 3600 }).map((seconds) => new Date(new Date(center).getTime() + seconds * 1000)));

  it('the latest occurrence at or before t is followed by none up to t, and is itself a forward occurrence', () => {
    fc.assert(
      fc.property(fc.constantFrom(...expressions), fc.constantFrom(...zones), instant, (expression, zone, at) => {
        const seq = sequence(expression, zone);
        const latest = seq.latestAtOrBefore(at);
        expect(latest).not.toBeNull();
        if (latest === null) return;
        expect(latest.getTime()).toBeLessThanOrEqual(at.getTime());
        expect(seq.nextAfter(new Date(latest.getTime() - 1))?.getTime()).toBe(latest.getTime());
        expect(seq.nextAfter(latest)?.getTime() ?? Infinity).toBeGreaterThan(at.getTime());
      }),
      { numRuns: 150 },
    );
  });
});

function captureTimingError(run: () => unknown): ScheduleTimingError {
  try {
    run();
  } catch (error) {
    if (error instanceof ScheduleTimingError) return error;
    throw error;
  }
  throw new Error('expected a ScheduleTimingError');
}
