import { DatabaseUnavailableError } from '../../../core/database-error.js';

/** Primary result codes (the low byte of an extended code) of a file that is busy or failing. */
const TRANSIENT = new Map([
  [5, 'SQLITE_BUSY'],
  [6, 'SQLITE_LOCKED'],
  [7, 'SQLITE_NOMEM'],
  [10, 'SQLITE_IOERR'],
  [13, 'SQLITE_FULL'],
]);
/** ...and of one no retry fixes. */
const PERMANENT = new Map([
  [8, 'SQLITE_READONLY'],
  [11, 'SQLITE_CORRUPT'],
  [14, 'SQLITE_CANTOPEN'],
  [26, 'SQLITE_NOTADB'],
]);

/**
 * SQLite's "the file is busy or failing" errors, from either driver, as the core's
 * DatabaseUnavailableError (the original is its cause); any other error unchanged. better-sqlite3
 * names the code (`SQLITE_BUSY`, `SQLITE_IOERR_WRITE`); node:sqlite gives the number (`errcode`).
 */
export function classifySqliteError(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof DatabaseUnavailableError) return error;
  const { code, errcode } = error as { code?: unknown; errcode?: unknown };
  const primary = typeof errcode === 'number' ? errcode & 0xff : undefined;
  const named = typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
  const matches = (table: Map<number, string>) =>
    (primary !== undefined && table.has(primary)) || (named !== undefined && [...table.values()].some((name) => named === name || named.startsWith(`${name}_`)));
  const permanent = matches(PERMANENT);
  if (!permanent && !matches(TRANSIENT)) return error;
  return new DatabaseUnavailableError(`SQLite is unavailable: ${error.message}`, { permanent, cause: error });
}
