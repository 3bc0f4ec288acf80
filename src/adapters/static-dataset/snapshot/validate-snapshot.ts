import type { z } from 'zod';
import { jsonPath } from './json-path.js';
import { scanJsonText } from './scan-json-text.js';
import { consistencyProblems, type IndexedRow } from './snapshot-consistency.js';
import type { SnapshotProblem } from './snapshot-problem.js';
import { snapshotDocumentSchema, type SnapshotDocument, type SnapshotRow } from './snapshot-schema.js';

export type { SnapshotProblem } from './snapshot-problem.js';

/**
 * The most problems listed for one file. A file wrong in every row could otherwise yield a report
 * larger than itself; past the cap one last problem at `$` says how many more were found.
 */
export const MAX_LISTED_PROBLEMS = 1000;

export type SnapshotValidation = { ok: true; document: SnapshotDocument } | { ok: false; problems: SnapshotProblem[] };

/**
 * Checks a snapshot file's bytes: UTF-8, JSON, then the strict schema, then what rows must agree
 * on. Lists every problem found (up to `MAX_LISTED_PROBLEMS`), not only the first, and never
 * throws for any input.
 */
export function validateSnapshotDocument(bytes: Uint8Array): SnapshotValidation {
  let text: string;
  try {
    // A leading byte order mark is dropped, as RFC 8259 allows a parser to do.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return refuse([{ path: '$', message: `is not UTF-8 text: invalid byte sequence at byte offset ${firstInvalidUtf8Offset(bytes)}` }]);
  }
  if (/^[ \t\n\r]*$/.test(text)) return refuse([{ path: '$', message: 'is empty: a snapshot is one JSON object' }]);

  const scan = scanJsonText(text);
  if (scan.syntaxError !== undefined) {
    const { line, column, message } = scan.syntaxError;
    return refuse([{ path: '$', message: `is not valid JSON: ${message} (line ${line}, column ${column})` }]);
  }
  const problems: SnapshotProblem[] = scan.duplicateFields.map((path) => ({
    path: jsonPath(path),
    message: 'repeats a field name already used in the same object',
  }));

  const value = JSON.parse(text) as unknown;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return refuse([...problems, { path: '$', message: `must be a JSON object, not ${value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`}` }]);
  }

  const parsed = snapshotDocumentSchema.safeParse(value);
  if (parsed.success && problems.length === 0) {
    const rows = parsed.data.records.map((row, index) => ({ index, row }));
    const inconsistencies = consistencyProblems(rows, parsed.data.snapshot_date);
    return inconsistencies.length === 0 ? { ok: true, document: parsed.data } : refuse(inconsistencies);
  }
  const issues = parsed.success ? [] : parsed.error.issues;
  problems.push(...issues.flatMap(problemsOf));
  problems.push(...consistencyProblems(validRows(value, issues), validSnapshotDate(value, issues)));
  return refuse(problems);
}

function problemsOf(issue: z.core.$ZodIssue): SnapshotProblem[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: jsonPath([...issue.path, key]), message: 'is not a field of the snapshot format' }));
  }
  return [{ path: jsonPath(issue.path), message: issue.message }];
}

/** The rows with no problem of their own, so that disagreements between them are reported too. */
function validRows(document: object, issues: readonly z.core.$ZodIssue[]): IndexedRow[] {
  const records = (document as { records?: unknown }).records;
  if (!Array.isArray(records)) return [];
  const faulty = new Set(issues.filter((i) => i.path[0] === 'records').map((i) => i.path[1]));
  if (faulty.has(undefined)) return [];
  // The schema transforms nothing, so a row it found no fault in is already a SnapshotRow.
  return records.flatMap((row, index) => (faulty.has(index) ? [] : [{ index, row: row as SnapshotRow }]));
}

function validSnapshotDate(document: object, issues: readonly z.core.$ZodIssue[]): string | undefined {
  if (issues.some((i) => i.path[0] === 'snapshot_date')) return undefined;
  const date = (document as { snapshot_date?: unknown }).snapshot_date;
  return typeof date === 'string' ? date : undefined;
}

/** Where UTF-8 decoding first fails: the first U+FFFD a lenient decoder made that the bytes do not spell. */
function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  const encoder = new TextEncoder();
  for (let at = text.indexOf('\uFFFD'); at !== -1; at = text.indexOf('\uFFFD', at + 1)) {
    // Everything before the first made-up U+FFFD decoded faithfully, so it re-encodes to the same bytes.
    const offset = encoder.encode(text.slice(0, at)).length;
    if (!(bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd)) return offset;
  }
  return bytes.length;
}

function refuse(problems: SnapshotProblem[]): SnapshotValidation {
  if (problems.length <= MAX_LISTED_PROBLEMS) return { ok: false, problems };
  const more = problems.length - MAX_LISTED_PROBLEMS;
  return {
    ok: false,
    problems: [...problems.slice(0, MAX_LISTED_PROBLEMS), { path: '$', message: `has ${more} more problem${more === 1 ? '' : 's'} not listed here (only the first ${MAX_LISTED_PROBLEMS} are)` }],
  };
}
