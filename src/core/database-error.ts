/**
 * The job database could not be reached or could not take the statement for a reason that is not
 * the caller's (connection refused or reset, server shutting down, SQLite file busy or failing).
 * Storage adapters wrap their drivers' connection-class errors in it so the layers inside can tell
 * an infrastructure fault from a fault of the job without knowing which driver is underneath.
 * `permanent`: retrying will not help (e.g. bad credentials, missing database); a running job still
 * treats it as the infrastructure's fault, the worker's claim loop may decide to stop on it.
 */
export class DatabaseUnavailableError extends Error {
  readonly permanent: boolean;

  constructor(message: string, options: { permanent?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DatabaseUnavailableError';
    this.permanent = options.permanent ?? false;
  }
}
