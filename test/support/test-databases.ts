import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { SqliteDriverChoice } from '../../src/adapters/storage/sqlite/sqlite-driver.js';
import type { AppConfig } from '../../src/platform/config.js';

export interface TestDatabase {
  /** DATABASE_DSN for this database: a postgres URL or a SQLite file path. */
  dsn: string;
  drop(): Promise<void>;
}

/** A fresh, empty PostgreSQL database on the test server, so test files never share state. */
export async function createPostgresDatabase(): Promise<TestDatabase> {
  const serverUrl = inject('postgresUrl');
  const name = `ia_test_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    dsn: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

let sqliteDriver: SqliteDriverChoice = 'auto';

/** The SQLite driver this test file's contract suites use; vitest runs each file in its own process. */
export function useSqliteDriver(driver: SqliteDriverChoice): void {
  sqliteDriver = driver;
}

export function sqliteDriverUnderTest(): SqliteDriverChoice {
  return sqliteDriver;
}

export type DatabaseConfig = AppConfig['database'];

/** The database configuration the apps would load for `dsn`, on the SQLite driver this file tests. */
export function databaseConfig(driver: 'postgres' | 'sqlite', dsn: string): DatabaseConfig {
  return driver === 'postgres'
    ? { driver, dsn, runMigrations: true, maxOpenConns: 5, maxIdleConns: 0, connMaxLifetimeSec: 0 }
    : { driver, path: dsn, runMigrations: true, sqliteDriver: sqliteDriverUnderTest() };
}

/** A fresh SQLite file in its own temporary directory. */
export function createSqliteDatabase(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'ingestion-adapter-sqlite-'));
  return Promise.resolve({
    dsn: join(dir, 'adapter.db'),
    drop: () => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  });
}

/**
 * A password the test PostgreSQL accepts: its own when its URL has one (the embedded server), so a
 * test can both reach the database and check that the password is never printed; otherwise
 * `fallback`, which a server with trust authentication accepts like any other.
 */
export function acceptedPassword(fallback: string): string {
  const own = new URL(inject('postgresUrl')).password;
  return own === '' ? fallback : decodeURIComponent(own);
}
