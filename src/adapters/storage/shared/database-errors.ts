import { DatabaseUnavailableError, type DatabaseUnavailableCode } from '../../../core/database-unavailable.js';

interface Verdict {
  code: DatabaseUnavailableCode;
  permanent: boolean;
  /** What to do about it, put before the driver's own message. */
  hint: string;
}

const AUTH: Verdict = { code: 'DATABASE_AUTH_FAILED', permanent: true, hint: 'the database refused the login; check the user and password in DATABASE_DSN' };
const NOT_FOUND: Verdict = { code: 'DATABASE_NOT_FOUND', permanent: true, hint: 'the database named in DATABASE_DSN does not exist; create it or fix the name' };
const HOST_UNKNOWN: Verdict = { code: 'DATABASE_HOST_UNKNOWN', permanent: true, hint: 'the database host in DATABASE_DSN does not resolve; fix the host name' };
const PERMISSION: Verdict = { code: 'DATABASE_PERMISSION_DENIED', permanent: true, hint: 'the database account lacks a privilege it needs; grant it or use the owner of the schema' };
const UNREACHABLE: Verdict = { code: 'DATABASE_UNREACHABLE', permanent: false, hint: 'the database is unreachable' };
const SCHEMA_MISSING: Verdict = { code: 'DATABASE_SCHEMA_MISSING', permanent: false, hint: 'the tables are missing; run the migrations (npm run migrate or DATABASE_RUN_MIGRATIONS=true)' };
const BUSY: Verdict = { code: 'DATABASE_BUSY', permanent: false, hint: 'the database is out of connections, locks or space' };
const FILE_UNUSABLE: Verdict = { code: 'DATABASE_NOT_FOUND', permanent: true, hint: 'the SQLite file in DATABASE_DSN cannot be opened or written; check the path and its permissions' };

/** Node.js socket and DNS errors. An unknown host stays unknown; a DNS server that did not answer may answer later. */
const SYSTEM_CODES: Record<string, Verdict> = {
  ENOTFOUND: HOST_UNKNOWN,
  EAI_AGAIN: UNREACHABLE,
  ECONNREFUSED: UNREACHABLE,
  ECONNRESET: UNREACHABLE,
  ECONNABORTED: UNREACHABLE,
  ETIMEDOUT: UNREACHABLE,
  EPIPE: UNREACHABLE,
  EHOSTUNREACH: UNREACHABLE,
  EHOSTDOWN: UNREACHABLE,
  ENETUNREACH: UNREACHABLE,
  // Creating or opening the SQLite file's directory (EEXIST: a file stands where it should be).
  EEXIST: FILE_UNUSABLE,
  EACCES: FILE_UNUSABLE,
  EPERM: FILE_UNUSABLE,
  EROFS: FILE_UNUSABLE,
  ENOTDIR: FILE_UNUSABLE,
};

/** PostgreSQL SQLSTATEs (exact codes first, then their class). */
const SQLSTATES: Record<string, Verdict> = {
  '28P01': AUTH,
  '28000': AUTH,
  '3D000': NOT_FOUND,
  '42501': PERMISSION,
  '42P01': SCHEMA_MISSING,
  '3F000': SCHEMA_MISSING,
  // Administrator shutdown, crash shutdown, "the database system is starting up".
  '57P01': UNREACHABLE,
  '57P02': UNREACHABLE,
  '57P03': UNREACHABLE,
};
const SQLSTATE_CLASSES: Record<string, Verdict> = {
  '08': UNREACHABLE, // connection exception
  '53': BUSY, // insufficient resources: too many connections, disk full, out of memory
};

/** SQLite primary result codes, as better-sqlite3 names them and node:sqlite numbers them. */
const SQLITE_CODES: Record<string, Verdict> = {
  SQLITE_CANTOPEN: FILE_UNUSABLE,
  SQLITE_READONLY: FILE_UNUSABLE,
  SQLITE_PERM: FILE_UNUSABLE,
  SQLITE_AUTH: FILE_UNUSABLE,
  SQLITE_NOTADB: { ...FILE_UNUSABLE, hint: 'DATABASE_DSN names a file that is not a SQLite database' },
  SQLITE_CORRUPT: { ...FILE_UNUSABLE, hint: 'the SQLite file is corrupt; restore it from a backup' },
  SQLITE_BUSY: BUSY,
  SQLITE_LOCKED: BUSY,
  SQLITE_FULL: BUSY,
  SQLITE_IOERR: UNREACHABLE,
};
const SQLITE_NUMBERS: Record<number, string> = {
  3: 'SQLITE_PERM',
  5: 'SQLITE_BUSY',
  6: 'SQLITE_LOCKED',
  8: 'SQLITE_READONLY',
  10: 'SQLITE_IOERR',
  11: 'SQLITE_CORRUPT',
  13: 'SQLITE_FULL',
  14: 'SQLITE_CANTOPEN',
  23: 'SQLITE_AUTH',
  26: 'SQLITE_NOTADB',
};

/** node-postgres reports a dropped connection by message only. */
const UNCODED_CONNECTION_LOSS = /Connection terminated|connection timeout|timeout expired|Client has encountered a connection error|not queryable/i;

/**
 * Whether `error` means the database itself cannot be used (and whether that will heal), as
 * opposed to one query failing on its own merits. Undefined for everything else, which callers
 * keep as it was.
 */
export function classifyDatabaseError(error: unknown): DatabaseUnavailableError | undefined {
  if (error instanceof DatabaseUnavailableError) return error;
  if (!(error instanceof Error)) return undefined;
  const verdict = verdictOf(error);
  if (verdict === undefined) return undefined;
  return new DatabaseUnavailableError(verdict.code, verdict.permanent, `${verdict.hint}: ${error.message || error.name}`, { cause: error });
}

/** The classified error if there is one, else `error` unchanged: for `catch (e) { throw asDatabaseError(e) }`. */
export function asDatabaseError(error: unknown): unknown {
  return classifyDatabaseError(error) ?? error;
}

function verdictOf(error: Error): Verdict | undefined {
  const code = codeOf(error);
  if (code !== undefined) {
    const byCode = SYSTEM_CODES[code] ?? SQLSTATES[code] ?? sqliteVerdict(code) ?? (/^[0-9A-Z]{5}$/.test(code) ? SQLSTATE_CLASSES[code.slice(0, 2)] : undefined);
    if (byCode !== undefined) return byCode;
  }
  // node:sqlite: code ERR_SQLITE_ERROR, the SQLite result code (possibly extended) in errcode.
  const errcode = (error as { errcode?: unknown }).errcode;
  if (typeof errcode === 'number') {
    const name = SQLITE_NUMBERS[errcode & 0xff];
    if (name !== undefined) return SQLITE_CODES[name];
  }
  if (/no such table/i.test(error.message)) return SCHEMA_MISSING;
  // Connecting to a host with several addresses fails with one error per address.
  if (error instanceof AggregateError) {
    for (const inner of error.errors as unknown[]) {
      if (inner instanceof Error) {
        const verdict = verdictOf(inner);
        if (verdict !== undefined) return verdict;
      }
    }
  }
  if (code === undefined && UNCODED_CONNECTION_LOSS.test(error.message)) return UNREACHABLE;
  return undefined;
}

/** better-sqlite3 uses extended names such as SQLITE_IOERR_WRITE; their prefix is the primary code. */
function sqliteVerdict(code: string): Verdict | undefined {
  if (!code.startsWith('SQLITE_')) return undefined;
  const primary = Object.keys(SQLITE_CODES).find((name) => code === name || code.startsWith(`${name}_`));
  return primary === undefined ? undefined : SQLITE_CODES[primary];
}

function codeOf(error: Error): string | undefined {
  const value = (error as { code?: unknown }).code;
  return typeof value === 'string' ? value : undefined;
}

/**
 * Whether `error` is a unique-index violation on `table.column`, as PostgreSQL (23505, naming the
 * table) or either SQLite driver ("UNIQUE constraint failed: table.column") reports it.
 */
export function isUniqueViolation(error: unknown, table: string, column: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, table: violated, message } = error as { code?: unknown; table?: unknown; message?: unknown };
  if (code === '23505') return violated === table;
  return typeof message === 'string' && message.includes(`UNIQUE constraint failed: ${table}.${column}`);
}
