import { sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import type { SqlDatabase, SqlSession } from '../shared/sql-database.js';
import { classifyPgError } from './pg-errors.js';

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

/** Rethrows a connection-class error as DatabaseUnavailableError, so callers can tell an outage apart. */
function rethrowClassified(error: unknown): never {
  throw classifyPgError(error);
}

/**
 * Every error leaving this class went through classifyPgError: an unreachable server is a
 * DatabaseUnavailableError (core/database-error.ts), whichever statement or handler met it.
 */
export class PgDatabase implements SqlDatabase {
  constructor(readonly pool: pg.Pool) {}

  transaction<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    return this.transactionOnce(work).catch(rethrowClassified);
  }

  private async transactionOnce<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
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
      client.release(broken);
    }
  }

  statement<Row>(query: SQL): Promise<Row[]> {
    return queryPg<Row>(this.pool, query).catch(rethrowClassified);
  }

  /**
   * A hot statement, prepared once per connection under `name` and executed by name afterwards:
   * no parsing or planning per call. `query` must render to the same text every time.
   */
  async prepared<Row>(name: string, query: SQL): Promise<Row[]> {
    const { text, values } = renderPg(query);
    const result = await this.pool.query({ name, text, values }).catch(rethrowClassified);
    return result.rows as Row[];
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
