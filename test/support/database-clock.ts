import pg from 'pg';
import { openSqlite } from '../../src/adapters/storage/sqlite/sqlite-driver.js';
import { sqliteDriverUnderTest } from './test-databases.js';

/** The job times a test may move into the past instead of sleeping until they pass. */
export type JobDeadline = 'lease_until' | 'next_retry_at';

/**
 * Sets `column` of the given jobs to one millisecond before the database's own now, so the next
 * claim sees a lease that has expired or a retry that is due, whatever the load on the machine.
 * Only moves deadlines that are still in the future, so it never makes a job look later than it is.
 */
export async function passDeadline(driver: 'postgres' | 'sqlite', dsn: string, column: JobDeadline, jobIds: string[]): Promise<void> {
  await onTestDatabase(driver, dsn, {
    postgres: (client) =>
      client.query(`UPDATE ingestion_jobs SET ${column} = now() - interval '1 millisecond' WHERE id = ANY($1::bigint[]) AND ${column} > now()`, [jobIds]),
    sqlite: (db) => {
      const update = db.prepare(`UPDATE ingestion_jobs SET ${column} = ${SQLITE_NOW} - 1 WHERE id = ? AND ${column} > ${SQLITE_NOW}`);
      for (const id of jobIds) update.run([Number(id)]);
    },
  });
}

/**
 * Makes a schedule due now, as if its next occurrence had come: next_run_at and fire_at one second
 * before the database's now. Everything else (a held occurrence, the last job) stays.
 */
export async function makeScheduleDue(driver: 'postgres' | 'sqlite', dsn: string, scheduleId: string): Promise<void> {
  await onTestDatabase(driver, dsn, {
    postgres: (client) =>
      client.query(`UPDATE schedules SET next_run_at = now() - interval '1 second', fire_at = now() - interval '1 second' WHERE id = $1`, [scheduleId]),
    sqlite: (db) => void db.prepare(`UPDATE schedules SET next_run_at = ${SQLITE_NOW} - 1000, fire_at = ${SQLITE_NOW} - 1000 WHERE id = ?`).run([Number(scheduleId)]),
  });
}

const SQLITE_NOW = "CAST(unixepoch('subsec') * 1000 AS INTEGER)";

/** Runs one edit on its own connection to the test database, outside the store under test. */
async function onTestDatabase(
  driver: 'postgres' | 'sqlite',
  dsn: string,
  edit: { postgres: (client: pg.Client) => Promise<unknown>; sqlite: (db: ReturnType<typeof openSqlite>) => void },
): Promise<void> {
  if (driver === 'postgres') {
    const client = new pg.Client({ connectionString: dsn });
    await client.connect();
    try {
      await edit.postgres(client);
    } finally {
      await client.end();
    }
    return;
  }
  const db = openSqlite(dsn, sqliteDriverUnderTest());
  try {
    db.exec('PRAGMA busy_timeout = 10000');
    edit.sqlite(db);
  } finally {
    db.close();
  }
}

/** Moves every outbox event's occurred_at `ms` into the past, as if that much time had gone by. */
export async function ageOutboxEvents(driver: 'postgres' | 'sqlite', dsn: string, ms: number): Promise<void> {
  await onTestDatabase(driver, dsn, {
    postgres: (client) => client.query(`UPDATE outbox_events SET occurred_at = occurred_at - $1 * interval '1 millisecond'`, [ms]),
    sqlite: (db) => void db.prepare(`UPDATE outbox_events SET occurred_at = occurred_at - ?`).run([ms]),
  });
}
