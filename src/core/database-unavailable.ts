/** Why the database could not be used; the storage adapters decide which applies. */
export type DatabaseUnavailableCode =
  /** Wrong user or password, or no access to the database. Fixed only by changing the configuration. */
  | 'DATABASE_AUTH_FAILED'
  /** The named database (or SQLite file location) does not exist or cannot be opened. */
  | 'DATABASE_NOT_FOUND'
  /** The database host name does not resolve. */
  | 'DATABASE_HOST_UNKNOWN'
  /** The account may connect but not read or write what it must. */
  | 'DATABASE_PERMISSION_DENIED'
  /** Refused, reset, timed out, shutting down or starting up: the server may come back. */
  | 'DATABASE_UNREACHABLE'
  /** The tables are missing: migrations not applied (yet). */
  | 'DATABASE_SCHEMA_MISSING'
  /** Locked by another writer, out of connections or disk: it may clear. */
  | 'DATABASE_BUSY';

/**
 * The database could not be reached or used at all, as opposed to a query that failed on its own.
 * `permanent` says the condition will not heal without someone changing the configuration or the
 * server: retrying is pointless, and a process should stop and say so.
 */
export class DatabaseUnavailableError extends Error {
  readonly category = 'database' as const;

  constructor(
    readonly code: DatabaseUnavailableCode,
    readonly permanent: boolean,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DatabaseUnavailableError';
  }
}
