import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MigrationFile } from '../migrations/migration-files.js';
import type { AppliedMigration, ApplyOutcome, MigrationTarget } from '../migrations/run-migrations.js';
import { openSqlite, type SqliteDriverChoice } from './sqlite-driver.js';

/** How long a migrator waits for another one to finish before giving up. */
const LOCK_WAIT_MS = 5 * 60_000;
/** Each attempt at the lock blocks the (synchronous) connection at most this long, then yields. */
const LOCK_ATTEMPT_MS = 50;
const BUSY_TIMEOUT_MS = 10_000;

/**
 * SQLite has no advisory locks, so the migration lock is the database's own write lock: one
 * `BEGIN IMMEDIATE` transaction spans the whole run, and each file is a savepoint inside it. The
 * operating system drops that lock when the process dies, so a crashed migrator never leaves a
 * stale lock behind (a lock file would need its own stale detection).
 */
export function sqliteMigrationTarget(path: string, driver: SqliteDriverChoice = 'auto'): MigrationTarget {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = openSqlite(path, driver);
  // Before journal_mode: two processes opening a new file at once both switch it to WAL.
  db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA foreign_keys = ON');

  /** Takes the write lock, polling so that a wait never blocks this process's event loop for long. */
  async function beginImmediate(): Promise<void> {
    const deadline = Date.now() + LOCK_WAIT_MS;
    db.exec(`PRAGMA busy_timeout = ${LOCK_ATTEMPT_MS}`);
    try {
      for (;;) {
        try {
          db.exec('BEGIN IMMEDIATE');
          return;
        } catch (error) {
          if (!isBusy(error)) throw error;
          if (Date.now() > deadline) {
            throw new Error(`another process has held the migration lock on ${path} for over ${LOCK_WAIT_MS / 1000} s; is a migration stuck?`);
          }
          await sleep(LOCK_ATTEMPT_MS);
        }
      }
    } finally {
      db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
  }

  return {
    async withLock(work) {
      await beginImmediate();
      try {
        const result = await work();
        db.exec('COMMIT');
        return result;
      } catch (error) {
        // A failed file was already rolled back to its savepoint; the files before it stay applied.
        try {
          if (db.inTransaction) db.exec('COMMIT');
        } catch {
          if (db.inTransaction) db.exec('ROLLBACK');
        }
        throw error;
      }
    },
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
    apply(file: MigrationFile): Promise<ApplyOutcome> {
      // A savepoint inside withLock's transaction; on its own (no lock held) it is a transaction.
      db.exec('SAVEPOINT migration_file');
      try {
        const existing = db.prepare('SELECT checksum FROM schema_migrations WHERE version = ?').all([file.version])[0] as
          | { checksum: string }
          | undefined;
        let outcome: ApplyOutcome = 'already-applied';
        if (existing === undefined) {
          db.exec(file.sql);
          db.prepare(
            "INSERT INTO schema_migrations (version, checksum, applied_at) VALUES (?, ?, CAST(unixepoch('subsec') * 1000 AS INTEGER))",
          ).run([file.version, file.checksum]);
          outcome = 'applied';
        } else if (existing.checksum !== file.checksum) {
          throw new Error(`${file.version} was applied meanwhile by another process with a different checksum`);
        }
        db.exec('RELEASE migration_file');
        return Promise.resolve(outcome);
      } catch (error) {
        db.exec('ROLLBACK TO migration_file');
        db.exec('RELEASE migration_file');
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
    close() {
      db.close();
      return Promise.resolve();
    },
  };
}

/** SQLITE_BUSY or one of its extended codes, as better-sqlite3 (`code`) and node:sqlite (`errcode`) report it. */
function isBusy(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, errcode } = error as { code?: unknown; errcode?: unknown };
  return (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) || (typeof errcode === 'number' && (errcode & 0xff) === 5);
}
