/**
 * The ESPN fixtures are written around one day, 2026-12-01 (the NBA day the replay polls); every
 * `pre` game in them starts within the week after it, at a fixed instant. A `pre` game's summary is
 * declared for its start time, so served as written the fixtures would behave one way before those
 * instants (the summaries wait) and another after them (they run at once). The replay therefore
 * serves the ESPN files with every date moved by the same whole number of days, chosen once when it
 * starts, so that what it serves never depends on the day it runs:
 *
 * - `future` (the default): the fixture day becomes a week after today, so every `pre` game starts
 *   more than a week ahead and its summary waits;
 * - `past`: the fixture day becomes two weeks before today, so every game has started and a `pre`
 *   game's summary runs at once;
 * - `as-written`: the files' bytes unchanged.
 *
 * Times of day, and the days in URLs and scopes (`dates=20261201`), stay as written.
 */
export const ESPN_FIXTURE_DAY = '2026-12-01';
export const ESPN_DATE_MODES = ['future', 'past', 'as-written'] as const;
export type EspnDateMode = (typeof ESPN_DATE_MODES)[number];

const DAY_MS = 86_400_000;

/** Whole days to add to every date of an ESPN fixture served at `nowMs`. */
export function espnDayShift(mode: EspnDateMode, nowMs: number): number {
  if (mode === 'as-written') return 0;
  const today = Math.floor(nowMs / DAY_MS);
  const fixtureDay = Date.parse(`${ESPN_FIXTURE_DAY}T00:00:00Z`) / DAY_MS;
  return today + (mode === 'future' ? 7 : -14) - fixtureDay;
}

/** A JSON string that is a day or starts with one: `"2026-12-02"`, `"2026-12-02T00:30Z"`. */
const DATED_STRING = /"(\d{4}-\d{2}-\d{2})(T[0-9:.]*(?:Z|[+-]\d{2}:\d{2}))?"/g;

/** The text with the date part of every dated JSON string moved by `days`; the time of day is kept. */
export function shiftDates(text: string, days: number): string {
  if (days === 0) return text;
  return text.replace(DATED_STRING, (_match, day: string, time: string | undefined) => {
    const shifted = new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
    return `"${shifted}${time ?? ''}"`;
  });
}
