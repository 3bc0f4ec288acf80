import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MigrationFile } from '../migrations/migration-files.js';
import type { AppliedMigration, MigrationTarget } from '../migrations/run-migrations.js';
import { openSqlite, type SqliteDriverChoice } from './sqlite-driver.js';

/**
 * SQLite has no advisory locks; each file is applied under `BEGIN IMMEDIATE`, the database's write
 * lock, after checking again that no other process applied it meanwhile.
 */
export function sqliteMigrationTarget(path: string, driver: SqliteDriverChoice = 'auto'): MigrationTarget {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = openSqlite(path, driver);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA busy_timeout = 10000');
  db.exec('PRAGMA foreign_keys = ON');

  return {
    withLock: (work) => work(),
    ensureLedger() {
      db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version TEXT PRIMARY KEY,
        checksum TEXT NOT NULL,
        applied_at INTEGER NOT NULL
      )`);
      return Promise.resolve();
    },
    applied() {
      return Promise.resolve(db.prepare('SELECT version, checksum FROM schema_migrations ORDER BY version').all([]) as unknown as AppliedMigration[]);
    },
    apply(file: MigrationFile) {
      db.exec('BEGIN IMMEDIATE');
      try {
        const existing = db.prepare('SELECT checksum FROM schema_migrations WHERE version = ?').all([file.version])[0] as
          | { checksum: string }
          | undefined;
        if (existing === undefined) {
          db.exec(file.sql);
          db.prepare(
            "INSERT INTO schema_migrations (version, checksum, applied_at) VALUES (?, ?, CAST(unixepoch('subsec') * 1000 AS INTEGER))",
          ).run([file.version, file.checksum]);
        } else if (existing.checksum !== file.checksum) {
          throw new Error(`${file.version} was applied meanwhile by another process with a different checksum`);
        }
        db.exec('COMMIT');
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw error;
      }
      return Promise.resolve();
    },
    close() {
      db.close();
      return Promise.resolve();
    },
  };
}
