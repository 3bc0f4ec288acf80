import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgDatabase } from '../../src/adapters/storage/postgres/pg-database.js';
import { DatabaseUnavailableError } from '../../src/core/database-unavailable.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { createPostgresDatabase, type TestDatabase } from '../support/test-databases.js';
import { waitFor } from '../support/wait-for.js';

/**
 * A transaction whose connection is reset while the caller computes between two statements (as a
 * firing pass does while it decides): the transaction fails as an outage, and the process lives on.
 */
describe('a PostgreSQL transaction losing its connection between statements', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let db: PgDatabase;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    proxy = await TcpProxy.inFrontOf(database.dsn);
    db = new PgDatabase(new pg.Pool({ connectionString: proxy.rewrite(database.dsn), max: 2 }));
  });
  afterAll(async () => {
    await db.close();
    await proxy.close();
    await database.drop();
  });

  it('fails the transaction as DatabaseUnavailableError instead of an unhandled client error', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const outcome = db.transaction(async (s) => {
        await s.all(sql`SELECT 1`);
        // The caller computes; meanwhile the connection is reset under the idle, checked-out client.
        await proxy.cut();
        await new Promise((resolve) => setTimeout(resolve, 200));
        return s.all(sql`SELECT 2`);
      });
      await expect(outcome).rejects.toBeInstanceOf(DatabaseUnavailableError);
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
      await proxy.restore();
    }
    // The pool replaced the broken connection.
    await waitFor('the database to answer again', async () => ((await db.statement<{ n: number }>(sql`SELECT 3 AS n`))[0]?.n === 3 ? true : undefined));
  });
});
