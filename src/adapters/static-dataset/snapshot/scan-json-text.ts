import type { JsonPathSegment } from './json-path.js';

/** Where and why a text is not JSON, in the terms an editor shows: 1-based line and column. */
export interface JsonSyntaxError {
  line: number;
  column: number;
  message: string;
}

export interface JsonTextScan {
  syntaxError: JsonSyntaxError | undefined;
  /** The paths of fields that repeat a name already used in the same object. */
  duplicateFields: JsonPathSegment[][];
}

/**
 * An open object or array. It knows its parent and its place there rather than its whole path, so
 * deep nesting costs memory in proportion to its depth, not its square.
 */
type Frame = { parent: Frame | undefined; place: JsonPathSegment | undefined } & (
  | { kind: 'object'; names: Set<string>; name: string }
  | { kind: 'array'; index: number }
);

function pathOf(frame: Frame): JsonPathSegment[] {
  const path: JsonPathSegment[] = [];
  for (let f: Frame | undefined = frame; f?.place !== undefined; f = f.parent) path.push(f.place);
  return path.reverse();
}

/** A run of string characters that need no further look: not a quote, backslash or control character. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON strings may not hold raw.
const PLAIN_RUN = /[^"\\\u0000-\u001f]*/y;
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const HEX4 = /^[0-9A-Fa-f]{4}$/;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

class SyntaxFault extends Error {
  constructor(
    readonly at: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Checks `text` against the JSON grammar (RFC 8259) without building values, to say where a text
 * that `JSON.parse` refuses goes wrong (engines word and place that differently) and which fields
 * repeat a name (`JSON.parse` silently keeps the last). Iterative, so nesting depth cannot exhaust
 * the stack.
 */
export function scanJsonText(text: string): JsonTextScan {
  const duplicateFields: JsonPathSegment[][] = [];
  try {
    scan(text, duplicateFields);
    return { syntaxError: undefined, duplicateFields };
  } catch (error) {
    if (!(error instanceof SyntaxFault)) throw error;
    return { syntaxError: { ...position(text, error.at), message: error.message }, duplicateFields };
  }
}

function scan(text: string, duplicateFields: JsonPathSegment[][]): void {
  const stack: Frame[] = [];
  let i = skipWhitespace(text, 0);
  let mode: 'value' | 'name' | 'after' = 'value';
  for (;;) {
    if (mode === 'name') {
      const frame = stack[stack.length - 1] as Extract<Frame, { kind: 'object' }>;
      if (text[i] !== '"') throw unexpected(text, i, 'a quoted field name');
      const end = stringEnd(text, i);
      const quoted = text.slice(i, end);
      frame.name = quoted.includes('\\') ? (JSON.parse(quoted) as string) : quoted.slice(1, -1);
      if (frame.names.has(frame.name)) duplicateFields.push([...pathOf(frame), frame.name]);
      frame.names.add(frame.name);
      i = skipWhitespace(text, end);
      if (text[i] !== ':') throw unexpected(text, i, '":" after the field name');
      i = skipWhitespace(text, i + 1);
      mode = 'value';
      continue;
    }
    if (mode === 'value') {
      const c = text[i];
      if (c === '{' || c === '[') {
        const parent = stack[stack.length - 1];
        const place = parent === undefined ? undefined : parent.kind === 'object' ? parent.name : parent.index;
        i = skipWhitespace(text, i + 1);
        if (text[i] === (c === '{' ? '}' : ']')) {
          i += 1;
          mode = 'after';
        } else if (c === '{') {
          stack.push({ kind: 'object', parent, place, names: new Set(), name: '' });
          mode = 'name';
        } else {
          stack.push({ kind: 'array', parent, place, index: 0 });
        }
        continue;
      }
      if (c === '"') i = stringEnd(text, i);
      else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) i = numberEnd(text, i);
      else if (text.startsWith('true', i)) i += 4;
      else if (text.startsWith('false', i)) i += 5;
      else if (text.startsWith('null', i)) i += 4;
      else throw unexpected(text, i, 'a value');
      mode = 'after';
      continue;
    }
    i = skipWhitespace(text, i);
    const frame = stack[stack.length - 1];
    if (frame === undefined) {
      if (i < text.length) throw unexpected(text, i, 'nothing after the document');
      return;
    }
    const close = frame.kind === 'object' ? '}' : ']';
    if (text[i] === ',') {
      i = skipWhitespace(text, i + 1);
      if (frame.kind === 'array') frame.index += 1;
      mode = frame.kind === 'object' ? 'name' : 'value';
    } else if (text[i] === close) {
      stack.pop();
      i += 1;
    } else {
      throw unexpected(text, i, `"," or "${close}"`);
    }
  }
}

function skipWhitespace(text: string, from: number): number {
  let i = from;
  for (;;) {
    const code = text.charCodeAt(i);
    // Space, tab, line feed, carriage return: JSON's only whitespace. NaN past the end stops too.
    if (code !== 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) return i;
    i += 1;
  }
}

/** The index just after the string that opens at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    PLAIN_RUN.lastIndex = i;
    PLAIN_RUN.test(text);
    i = PLAIN_RUN.lastIndex;
    if (i >= text.length) throw new SyntaxFault(start, 'a string is not closed');
    const code = text.charCodeAt(i);
    if (code === 0x22) return i + 1;
    if (code < 0x20) throw new SyntaxFault(i, `a control character (U+${code.toString(16).toUpperCase().padStart(4, '0')}) must be escaped inside a string`);
    if (code === 0x5c) {
      const escape = text[i + 1];
      if (escape === 'u') {
        if (!HEX4.test(text.slice(i + 2, i + 6))) throw new SyntaxFault(i, 'a \\u escape needs four hexadecimal digits');
        i += 6;
        continue;
      }
      if (escape === undefined || !ESCAPES.has(escape)) throw new SyntaxFault(i, 'a backslash starts an escape that JSON does not have');
      i += 2;
      continue;
    }
    i += 1;
  }
}

function numberEnd(text: string, start: number): number {
  NUMBER.lastIndex = start;
  const match = NUMBER.exec(text);
  if (match === null) throw new SyntaxFault(start, 'a number is malformed');
  const end = start + match[0].length;
  const next = text[end];
  // "01", "1." and "1e" stop the pattern early; the character left over is the mistake.
  if (next !== undefined && /[0-9.eE+-]/.test(next)) throw new SyntaxFault(start, 'a number is malformed');
  return end;
}

function unexpected(text: string, at: number, expected: string): SyntaxFault {
  if (at >= text.length) return new SyntaxFault(at, `the text ends where ${expected} was expected`);
  const character = String.fromCodePoint(text.codePointAt(at)!);
  return new SyntaxFault(at, `${JSON.stringify(character)} where ${expected} was expected`);
}

function position(text: string, at: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < at; i = text.indexOf('\n', i + 1)) {
    line += 1;
    lineStart = i + 1;
  }
  // Columns count characters, as editors do, not UTF-16 code units.
  return { line, column: [...text.slice(lineStart, at)].length + 1 };
}
