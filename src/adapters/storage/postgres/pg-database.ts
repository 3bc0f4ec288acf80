import { sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import { asDatabaseError } from '../shared/database-errors.js';
import type { SqlDatabase, SqlSession } from '../shared/sql-database.js';

const renderer = new PgDialect();
const NOW = sql`now()`;

/** Renders a drizzle `sql` fragment to text and parameters for node-postgres. */
export function renderPg(query: SQL): { text: string; values: unknown[] } {
  const { sql: text, params } = renderer.sqlToQuery(query);
  return { text, values: params };
}

export async function queryPg<Row>(client: pg.Pool | pg.PoolClient, query: SQL): Promise<Row[]> {
  const { text, values } = renderPg(query);
  const result = await client.query(text, values);
  return result.rows as Row[];
}

function sessionOn(client: pg.PoolClient): SqlSession {
  return {
    // now() is the transaction's start on the server's clock: one instant for the whole settle.
    now: NOW,
    all: <Row>(query: SQL) => queryPg<Row>(client, query),
    run: async (query: SQL) => {
      const { text, values } = renderPg(query);
      const result = await client.query(text, values);
      return result.rowCount ?? 0;
    },
  };
}

/**
 * Every error leaving this class went through asDatabaseError: an unreachable or unusable server
 * is a DatabaseUnavailableError (core/database-unavailable.ts), whichever statement or handler met it.
 */
export class PgDatabase implements SqlDatabase {
  constructor(readonly pool: pg.Pool) {}

  /** A lost or refused connection surfaces as DatabaseUnavailableError; other errors pass as they are. */
  async transaction<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    try {
      return await this.inTransaction('BEGIN', work);
    } catch (error) {
      throw asDatabaseError(error);
    }
  }

  /** Under READ COMMITTED each statement would see the commits made since the one before it. */
  async snapshot<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    try {
      return await this.inTransaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', work);
    } catch (error) {
      throw asDatabaseError(error);
    }
  }

  private async inTransaction<T>(begin: string, work: (session: SqlSession) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // A checked-out client that loses its connection between statements (while the caller computes)
    // emits 'error'; without a listener that would end the process. The next statement fails instead.
    const onError = (error: Error) => (broken = error);
    client.on('error', onError);
    try {
      await client.query(begin);
      const result = await work(sessionOn(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // A connection that cannot roll back is not given back to the pool.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  statement<Row>(query: SQL): Promise<Row[]> {
    return queryPg<Row>(this.pool, query).catch((error: unknown) => {
      throw asDatabaseError(error);
    });
  }

  /**
   * A hot statement, prepared once per connection under `name` and executed by name afterwards:
   * no parsing or planning per call. `query` must render to the same text every time.
   */
  async prepared<Row>(name: string, query: SQL): Promise<Row[]> {
    const { text, values } = renderPg(query);
    try {
      const result = await this.pool.query({ name, text, values });
      return result.rows as Row[];
    } catch (error) {
      throw asDatabaseError(error);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
