import { z } from 'zod';
import type { JsonObject } from '../../../core/job.js';
import { jsonProblem, MAX_JSON_DEPTH, textProblem } from '../../../core/storable-values.js';

/**
 * The static snapshot file: one JSON object, checked strictly (ADR 26). Every field is required;
 * a field that may be unknown is nullable and must then be written `null`, never left out. Every
 * message is ours, so the problems a file gets are the same whatever zod version words them.
 */

/** The earliest birth date accepted; anything earlier is a typing mistake, not a player. */
export const EARLIEST_BIRTH_DATE = '1900-01-01';

const ID_MAX = 100;
const NAME_MAX = 200;
const LABEL_MAX = 50;

function describe(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'an array';
  if (typeof input === 'object') return 'an object';
  return `a ${typeof input}`;
}

/** The message for a value of the wrong type: a missing field says so rather than "undefined". */
function typeError(expected: string): (issue: { input?: unknown }) => string {
  return ({ input }) => {
    if (input === undefined) return 'is required';
    // JSON.parse reads 1e999 as Infinity: a number no field can hold.
    if (typeof input === 'number' && !Number.isFinite(input)) return 'is a number too large to represent';
    return `must be ${expected}, not ${describe(input)}`;
  };
}

function text(max: number, expected: string) {
  return z
    .string({ error: typeError(expected) })
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((value) => value.trim() === value, 'must not start or end with whitespace')
    .superRefine((value, ctx) => {
      const problem = textProblem(value);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    });
}

const requiredText = (max: number) => text(max, 'a string');
const nullableText = (max: number) => text(max, 'a string or null').nullable();

/** Whether `value` (already YYYY-MM-DD) names a day the calendar has: not 2025-02-30, not 2023-02-29. */
export function isCalendarDate(value: string): boolean {
  const [year, month, day] = value.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function calendarDate(expected: string) {
  return z
    .string({ error: typeError(expected) })
    .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date written YYYY-MM-DD', abort: true })
    .refine(isCalendarDate, { message: 'is not a real calendar date', abort: true });
}

const season = z
  .string({ error: typeError('a string') })
  .regex(/^\d{4}(-\d{4})?$/, { message: 'must be a season written YYYY-YYYY, or YYYY for a season within one calendar year', abort: true })
  .refine((value) => value.length === 4 || Number(value.slice(5)) === Number(value.slice(0, 4)) + 1, 'must span two consecutive years, like 2025-2026');

function number(expected: string, min: number, max: number) {
  return z
    .number({ error: typeError(expected) })
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);
}

/** A per-game average: unknown (null) when the source did not count it. */
const perGame = (max: number) => number('a number or null', 0, max).nullable();
/** A shooting percentage on the 0 to 100 scale (45.3, not 0.453). */
const percentage = number('a number or null', 0, 100).nullable();

/** Free-form source data: any JSON object the databases can store (ADR 26). */
const freeFormObject = z
  .custom<JsonObject>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), { error: typeError('an object') })
  .superRefine((value, ctx) => {
    const problem = jsonProblem(value, MAX_JSON_DEPTH);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem.message, path: withIndexes(value, problem.path) });
  });

/** `path` (all strings) with the steps into arrays as numbers, so it prints as `[0]`, not `["0"]`. */
function withIndexes(root: unknown, path: readonly string[]): (string | number)[] {
  let at: unknown = root;
  return path.map((step) => {
    const inArray = Array.isArray(at);
    at = (at as Record<string, unknown>)[step];
    return inArray ? Number(step) : step;
  });
}

export const snapshotRowSchema = z.strictObject(
  {
    competition_external_id: requiredText(ID_MAX),
    competition_name: requiredText(NAME_MAX),
    season,
    team_external_id: requiredText(ID_MAX),
    team_name: requiredText(NAME_MAX),
    player_external_id: requiredText(ID_MAX),
    full_name: requiredText(NAME_MAX),
    first_name: nullableText(NAME_MAX),
    last_name: nullableText(NAME_MAX),
    birth_date: calendarDate('a date or null')
      .refine((value) => value >= EARLIEST_BIRTH_DATE, `must not be before ${EARLIEST_BIRTH_DATE}`)
      .nullable(),
    nationality: nullableText(ID_MAX),
    height_cm: number('a number or null', 100, 250).nullable(),
    weight_kg: number('a number or null', 30, 200).nullable(),
    position: nullableText(LABEL_MAX),
    role: nullableText(LABEL_MAX),
    games_played: z
      .number({ error: typeError('a number') })
      .int('must be a whole number')
      .min(0, 'must be at least 0')
      .max(200, 'must be at most 200'),
    minutes_per_game: perGame(70),
    points_per_game: perGame(100),
    rebounds_per_game: perGame(100),
    assists_per_game: perGame(100),
    steals_per_game: perGame(100),
    blocks_per_game: perGame(100),
    turnovers_per_game: perGame(100),
    fg_pct: percentage,
    three_pt_pct: percentage,
    ft_pct: percentage,
    source_metadata: freeFormObject,
    raw_payload: freeFormObject,
  },
  { error: typeError('an object') },
);

export const snapshotDocumentSchema = z.strictObject(
  {
    source_name: requiredText(ID_MAX),
    snapshot_date: calendarDate('a date'),
    records: z.array(snapshotRowSchema, { error: typeError('an array') }).min(1, 'must list at least one player-season row'),
    source_metadata: freeFormObject,
    raw_payload: freeFormObject,
  },
  { error: typeError('an object') },
);

/** One player-season row: a player's figures for one team in one season of one competition. */
export type SnapshotRow = z.infer<typeof snapshotRowSchema>;
export type SnapshotDocument = z.infer<typeof snapshotDocumentSchema>;
