/**
 * What both databases can store, checked before anything is stored so that SQLite and PostgreSQL
 * refuse the same input the same way. PostgreSQL rejects U+0000 in text and jsonb and unpaired
 * surrogates in jsonb; SQLite would keep them, and a value read back from one would not match the
 * other. Instants are kept to the years both store and print as four-digit ISO 8601.
 */

/** How deeply scope and params may nest; real requests need a handful of levels. */
export const MAX_JSON_DEPTH = 32;

/** The earliest and latest instants accepted: 0001-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z. */
export const EARLIEST_INSTANT_MS = Date.parse('0001-01-01T00:00:00.000Z');
export const LATEST_INSTANT_MS = Date.parse('9999-12-31T23:59:59.999Z');

const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSTORABLE_CHARACTERS = new RegExp(`\\u0000|${UNPAIRED_SURROGATE.source}`, 'g');

/** Why `text` cannot be stored, or undefined when it can. */
export function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain the NUL character (U+0000)';
  if (UNPAIRED_SURROGATE.test(text)) return 'must not contain an unpaired UTF-16 surrogate';
  return undefined;
}

/**
 * `text` with what `textProblem` refuses replaced by U+FFFD, for text we write ourselves from
 * something we do not control (an error message quoting a page), which must be kept rather than refused.
 */
export function storableText(text: string): string {
  return textProblem(text) === undefined ? text : text.replace(UNSTORABLE_CHARACTERS, '\uFFFD');
}

export function isStorableInstant(ms: number): boolean {
  return Number.isFinite(ms) && ms >= EARLIEST_INSTANT_MS && ms <= LATEST_INSTANT_MS;
}

export interface JsonProblem {
  /** Keys and indexes from the checked value down to the offending one. */
  path: string[];
  message: string;
}

/**
 * The first part of a parsed JSON value that cannot be stored: nesting deeper than `maxDepth`
 * (the value itself is depth 1), a key or string that `textProblem` refuses, or a number that is
 * not finite. Stops at the depth limit, so a hostile value never exhausts the stack.
 */
export function jsonProblem(value: unknown, maxDepth: number = MAX_JSON_DEPTH): JsonProblem | undefined {
  return walk(value, [], 1, maxDepth);
}

function walk(value: unknown, path: string[], depth: number, maxDepth: number): JsonProblem | undefined {
  if (value === null || typeof value === 'boolean') return undefined;
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem === undefined ? undefined : { path, message: problem };
  }
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : { path, message: 'must be a finite number' };
  if (typeof value !== 'object') return { path, message: `a ${typeof value} is not JSON` };
  if (depth > maxDepth) return { path, message: `nests deeper than ${maxDepth} levels` };
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const problem = walk(item, [...path, String(index)], depth + 1, maxDepth);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    const keyProblem = textProblem(key);
    if (keyProblem !== undefined) return { path, message: `a key ${keyProblem}` };
    const problem = walk(item, [...path, key], depth + 1, maxDepth);
    if (problem !== undefined) return problem;
  }
  return undefined;
}
