import { classifyDatabaseError } from '../adapters/storage/shared/database-errors.js';
import type { DatabaseLoss } from '../application/database-availability.js';
import { DatabaseUnavailableError } from '../core/database-unavailable.js';
import type { AppConfig } from './config.js';
import { redactDsn } from './logger.js';

/** EX_UNAVAILABLE (sysexits.h): the database could not be used; a supervisor should restart and alert. */
export const DATABASE_UNAVAILABLE_EXIT_CODE = 69;

type DatabaseConfig = AppConfig['database'];

/** Where the data lives, fit for a log line. */
export function databaseLocation(database: DatabaseConfig): string {
  return database.driver === 'postgres' ? redactDsn(database.dsn) : database.path;
}

/** One line, whatever the driver put in its message, and never the password. */
export function oneLine(text: string, database: DatabaseConfig): string {
  let line = text.replace(/\s*\n\s*/g, ' ').trim();
  if (database.driver === 'postgres') {
    const password = passwordOf(database.dsn);
    if (password !== '') line = line.split(password).join('redacted');
  }
  return line;
}

/** A database error met while starting, as one line naming the database; other errors unchanged. */
export function startupDatabaseError(error: unknown, database: DatabaseConfig): unknown {
  const classified = classifyDatabaseError(error);
  if (classified === undefined) return error;
  const message = oneLine(`${classified.message} (database ${databaseLocation(database)})`, database);
  return new DatabaseUnavailableError(classified.code, classified.permanent, message, { cause: error });
}

/** The line a worker prints when it gives up on its database. */
export function databaseLossLine(loss: DatabaseLoss, config: AppConfig): string {
  const why =
    loss.cause === 'permanent'
      ? `${loss.code}, will not heal by retrying`
      : `${loss.code}, WORKER_DATABASE_UNAVAILABLE_EXIT_SEC=${config.worker.databaseUnavailableExitMs / 1000} passed`;
  return oneLine(
    `giving up on the database (${why}; exit ${DATABASE_UNAVAILABLE_EXIT_CODE}): ${loss.message} (database ${databaseLocation(config.database)})`,
    config.database,
  );
}

function passwordOf(dsn: string): string {
  try {
    return decodeURIComponent(new URL(dsn).password);
  } catch {
    return '';
  }
}
