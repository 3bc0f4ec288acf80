import { z } from 'zod';
import { EARLIEST_INSTANT_MS, isStorableInstant, LATEST_INSTANT_MS, jsonProblem, MAX_JSON_DEPTH, textProblem } from '../../../core/storable-values.js';

/**
 * The building blocks of every request schema, so each string, JSON object, instant and id a
 * client sends goes through the same rules (src/core/storable-values.ts) and a refusal names the
 * exact field.
 */

/** Text both databases store: no U+0000, no unpaired surrogate. */
export function storableText(): z.ZodString {
  return z.string().check((ctx) => {
    const problem = textProblem(ctx.value);
    if (problem !== undefined) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
  });
}

/**
 * A free-form JSON object (scope, params). Checked by walking it with a depth limit instead of a
 * recursive schema, which would exhaust the stack on a value nested thousands of levels deep.
 */
export function storableJsonObject() {
  return z
    .record(z.string(), z.unknown())
    .check((ctx) => {
      const problem = jsonProblem(ctx.value, MAX_JSON_DEPTH);
      if (problem !== undefined) ctx.issues.push({ code: 'custom', message: problem.message, path: shortPath(problem.path), input: ctx.value });
    });
}

const RANGE = `between ${new Date(EARLIEST_INSTANT_MS).toISOString().slice(0, 4)} and ${new Date(LATEST_INSTANT_MS).toISOString().slice(0, 4)} (UTC)`;

/** For schema descriptions, so the API document states the rules. */
export const JSON_RULES = `Nested at most ${MAX_JSON_DEPTH} levels; no key or string may contain U+0000 or an unpaired surrogate; numbers are finite.`;
export const INSTANT_RULES = `ISO 8601 with an offset, ${RANGE}`;

/** An ISO 8601 instant with an offset, within the years both databases store. */
export function storableInstant() {
  return z.iso
    .datetime({ offset: true })
    .check((ctx) => {
      if (!isStorableInstant(Date.parse(ctx.value))) ctx.issues.push({ code: 'custom', message: `must be ${RANGE}`, input: ctx.value });
    });
}

const INT64_MAX = 9223372036854775807n;

/** A path id: a positive integer that fits the bigint id columns. */
export function positiveId(what: string) {
  return z
    .string()
    .regex(/^[1-9][0-9]{0,18}$/, `must be ${what} (a positive integer)`)
    .check((ctx) => {
      if (/^[0-9]{19}$/.test(ctx.value) && BigInt(ctx.value) > INT64_MAX) {
        ctx.issues.push({ code: 'custom', message: `must be ${what} (a positive integer up to ${INT64_MAX})`, input: ctx.value });
      }
    })
    .describe(`A positive integer up to ${INT64_MAX}`);
}

/** Long paths keep their start and end: a depth problem 33 levels down stays readable. */
const PATH_HEAD = 4;
const PATH_TAIL = 2;

function shortPath(path: string[]): string[] {
  const clipped = path.map((key) => (key.length > 40 ? `${key.slice(0, 40)}…` : key));
  if (clipped.length <= PATH_HEAD + PATH_TAIL + 1) return clipped;
  return [...clipped.slice(0, PATH_HEAD), `…${clipped.length - PATH_HEAD - PATH_TAIL} more…`, ...clipped.slice(-PATH_TAIL)];
}
