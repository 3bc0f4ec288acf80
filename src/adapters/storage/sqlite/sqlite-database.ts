import { sql, type SQL } from 'drizzle-orm';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { asDatabaseError } from '../shared/database-errors.js';
import type { SqlDatabase, SqlSession } from '../shared/sql-database.js';
import { openSqlite, type SqliteConnection, type SqliteDriverChoice, type SqliteStatement } from './sqlite-driver.js';
import { SQLITE_NOW_MS } from './sqlite-dialect.js';

const renderer = new SQLiteSyncDialect();

export interface SqliteOptions {
  /** A file path, or `:memory:`. */
  path: string;
  /** How long a writer waits for another process's write lock before giving up. */
  busyTimeoutMs?: number;
  driver?: SqliteDriverChoice;
}

/**
 * Transactions on one database file, per process, run one after another. A transaction's steps are
 * synchronous calls separated by awaits; if another connection of the same process began a
 * transaction in between, its busy-wait would block the thread that must finish the first one.
 */
const fileQueues = new Map<string, { tail: Promise<unknown>; users: number }>();

/**
 * One SQLite connection (sqlite-driver.ts). Its calls are synchronous but our sessions are async, so each
 * transaction holds the file's in-process queue: nothing can slip into it between two awaits.
 * Across processes, `BEGIN IMMEDIATE` takes the write lock up front and busy_timeout waits for it.
 */
export class SqliteDatabase implements SqlDatabase {
  readonly connection: SqliteConnection;
  private readonly statements = new Map<string, SqliteStatement>();
  private readonly queueKey: string;

  constructor(options: SqliteOptions) {
    try {
      if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
      this.connection = openSqlite(options.path, options.driver);
      this.connection.exec('PRAGMA journal_mode = WAL');
      // FULL: a commit that returned survives a power cut, as a job ledger must.
      this.connection.exec('PRAGMA synchronous = FULL');
      this.connection.exec('PRAGMA foreign_keys = ON');
      this.connection.exec(`PRAGMA busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    } catch (error) {
      throw asDatabaseError(error);
    }
    this.queueKey = options.path === ':memory:' ? `:memory:${Math.random()}` : resolve(options.path);
    const queue = fileQueues.get(this.queueKey) ?? { tail: Promise.resolve(), users: 0 };
    queue.users++;
    fileQueues.set(this.queueKey, queue);
  }

  transaction<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    return this.exclusively(async () => {
      this.connection.exec('BEGIN IMMEDIATE');
      try {
        const [clock] = this.execute<{ now: number }>(sql`SELECT ${SQLITE_NOW_MS} AS now`).rows;
        if (clock === undefined) throw new Error('SQLite returned no clock reading');
        // One instant for the whole transaction, as now() is in PostgreSQL.
        const result = await work(this.session(sql`${clock.now}`));
        this.connection.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.connection.inTransaction) this.connection.exec('ROLLBACK');
        throw error;
      }
    });
  }

  /** A transaction here already reads one snapshot: it holds the write lock, so nothing commits during it. */
  snapshot<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    return this.transaction(work);
  }

  statement<Row>(query: SQL): Promise<Row[]> {
    return this.exclusively(() => Promise.resolve(this.execute<Row>(query).rows));
  }

  close(): Promise<void> {
    return this.exclusively(() => {
      this.connection.close();
      const queue = fileQueues.get(this.queueKey);
      if (queue !== undefined && --queue.users === 0) fileQueues.delete(this.queueKey);
      return Promise.resolve();
    });
  }

  private session(now: SQL): SqlSession {
    return {
      now,
      all: <Row>(query: SQL) => Promise.resolve(this.execute<Row>(query).rows),
      run: (query: SQL) => Promise.resolve(this.execute(query).changes),
    };
  }

  private execute<Row>(query: SQL): { rows: Row[]; changes: number } {
    const rendered = renderer.sqlToQuery(query);
    const statement = this.prepare(rendered.sql);
    const params = rendered.params.map(toSqliteValue);
    if (statement.returnsRows) return { rows: statement.all(params) as Row[], changes: 0 };
    return { rows: [], changes: statement.run(params).changes };
  }

  /** Statements are prepared once per distinct text and reused. */
  private prepare(text: string): SqliteStatement {
    let statement = this.statements.get(text);
    if (statement === undefined) {
      statement = this.connection.prepare(text);
      if (this.statements.size > 500) this.statements.clear();
      this.statements.set(text, statement);
    }
    return statement;
  }

  /** Runs `work` in the file's queue; a file that cannot be used surfaces as DatabaseUnavailableError. */
  private exclusively<T>(work: () => Promise<T>): Promise<T> {
    const queue = fileQueues.get(this.queueKey);
    if (queue === undefined) return Promise.reject(new Error('the SQLite connection is closed'));
    const run = queue.tail.then(work, work).catch((error: unknown) => {
      throw asDatabaseError(error);
    });
    queue.tail = run.catch(() => undefined);
    return run;
  }
}

function toSqliteValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.getTime();
  return value;
}
