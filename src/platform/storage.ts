import type { JobRepository } from '../core/job-repository.js';
import { migrationsDirectory, readMigrationFiles } from '../adapters/storage/migrations/migration-files.js';
import { migrationStatus, runMigrations, type MigrationStatus, type MigrationTarget } from '../adapters/storage/migrations/run-migrations.js';
import { createPostgresStorage } from '../adapters/storage/postgres/create-postgres-job-repository.js';
import { postgresMigrationTarget } from '../adapters/storage/postgres/postgres-migration-target.js';
import { createSqliteStorage } from '../adapters/storage/sqlite/create-sqlite-job-repository.js';
import type { Storage } from '../adapters/storage/shared/storage.js';
import { sqliteMigrationTarget } from '../adapters/storage/sqlite/sqlite-migration-target.js';
import type { Logger } from 'pino';
import type { AppConfig } from './config.js';
import { startupDatabaseError } from './database-failure.js';
import { redactDsn } from './logger.js';

type DatabaseConfig = AppConfig['database'];

export function openJobRepository(
  database: DatabaseConfig,
  options: { applicationName?: string; onBackgroundError?: (error: Error) => void; onNotificationsRestored?: () => void } = {},
): JobRepository {
  return openStorage(database, options).jobs;
}

/** The job ledger and the ingestion store on the configured database. */
export function openStorage(
  database: DatabaseConfig,
  options: { applicationName?: string; onBackgroundError?: (error: Error) => void; onNotificationsRestored?: () => void } = {},
): Storage {
  if (database.driver === 'sqlite') return createSqliteStorage({ path: database.path, driver: database.sqliteDriver });
  return createPostgresStorage({
    connectionString: database.dsn,
    maxConnections: database.maxOpenConns,
    minIdleConnections: database.maxIdleConns,
    connectionMaxLifetimeSec: database.connMaxLifetimeSec,
    ...options,
  });
}

function migrationTarget(database: DatabaseConfig): MigrationTarget {
  return database.driver === 'sqlite' ? sqliteMigrationTarget(database.path, database.sqliteDriver) : postgresMigrationTarget(database.dsn);
}

/** Applies pending migrations; see runMigrations for the rules. */
export async function migrateDatabase(database: DatabaseConfig): Promise<{ applied: string[] }> {
  const target = migrationTarget(database);
  try {
    return await runMigrations(target, readMigrationFiles(migrationsDirectory(database.driver)));
  } finally {
    await target.close();
  }
}

export async function checkMigrations(database: DatabaseConfig): Promise<MigrationStatus> {
  const target = migrationTarget(database);
  try {
    return await migrationStatus(target, readMigrationFiles(migrationsDirectory(database.driver)));
  } finally {
    await target.close();
  }
}

/** What every process does first: say where its data lives, migrate if asked, open the repository. */
export async function prepareStorage(
  config: AppConfig,
  logger: Logger,
  role: 'api' | 'worker' | 'server',
): Promise<Storage> {
  const db = config.database;
  logger.info({ role, driver: db.driver, database: db.driver === 'postgres' ? redactDsn(db.dsn) : db.path }, `starting ${role}`);
  try {
    if (db.runMigrations) logger.info(await migrateDatabase(db), 'migrations applied');
    return openStorage(db, {
      applicationName: `ingestion-adapter:${role}`,
      onBackgroundError: (error) => logger.warn({ err: error }, 'database connection error'),
      onNotificationsRestored: () => logger.info({ role }, 'job notifications restored'),
    });
  } catch (error) {
    // A database that cannot be reached or opened is reported in one line (see runProcess).
    throw startupDatabaseError(error, db);
  }
}
