import type { SQL } from 'drizzle-orm';

/**
 * The little each storage adapter must provide so the portable queries can run on it. Queries are
 * composed with drizzle-orm's `sql` template, which renders placeholders for each dialect.
 */
export interface SqlSession {
  /** "Now" on the database's clock, fixed for the transaction (or the statement outside one). */
  readonly now: SQL;
  all<Row>(query: SQL): Promise<Row[]>;
  /** Runs a statement and returns how many rows it changed. */
  run(query: SQL): Promise<number>;
}

export interface SqlDatabase {
  /** Runs `work` in one transaction that takes the write lock up front; rolls back if it throws. */
  transaction<T>(work: (session: SqlSession) => Promise<T>): Promise<T>;
  /**
   * Runs `work`, which only reads, on one snapshot: every statement sees the database as the first
   * one did, so reads of several tables agree with each other even while other connections commit.
   */
  snapshot<T>(work: (session: SqlSession) => Promise<T>): Promise<T>;
  /** One statement in its own implicit transaction. */
  statement<Row>(query: SQL): Promise<Row[]>;
  close(): Promise<void>;
}
