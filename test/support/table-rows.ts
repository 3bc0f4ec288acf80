import pg from 'pg';
import { openSqlite } from '../../src/adapters/storage/sqlite/sqlite-driver.js';
import { sqliteDriverUnderTest } from './test-databases.js';

/** How many rows `table` of the test database holds, read on a connection of its own. */
export async function countRows(driver: 'postgres' | 'sqlite', dsn: string, table: 'snapshot_bodies' | 'raw_snapshots'): Promise<number> {
  if (driver === 'postgres') {
    const client = new pg.Client({ connectionString: dsn });
    await client.connect();
    try {
      const result = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`);
      return Number(result.rows[0]?.n);
    } finally {
      await client.end();
    }
  }
  const db = openSqlite(dsn, sqliteDriverUnderTest());
  try {
    db.exec('PRAGMA busy_timeout = 10000');
    const [row] = db.prepare(`SELECT count(*) AS n FROM ${table}`).all([]);
    return Number(row?.n);
  } finally {
    db.close();
  }
}
