import type { SQL } from 'drizzle-orm';
import type { JsonObject } from '../../../core/job.js';
import type { SqlSession } from './sql-database.js';

/** How the two databases differ in writing and reading values; queries stay the same text otherwise. */
export interface SqlDialect {
  readonly name: 'postgres' | 'sqlite';
  /** `time + ms` as a timestamp expression. */
  addMs(time: SQL, ms: number): SQL;
  /** Whole milliseconds from `from` to `to`. */
  msBetween(from: SQL, to: SQL): SQL;
  time(value: Date): SQL;
  json(value: JsonObject): SQL;
  bool(value: boolean): SQL;
  /** A job id parameter (decimal string in the domain). */
  id(value: string): SQL;
  /** `column` holds a JSON object with every field of `filter` equal to its value. */
  jsonContains(column: SQL, filter: JsonObject): SQL;
  /**
   * Serializes publication for one scope until the transaction ends (an advisory lock on
   * PostgreSQL; on SQLite the transaction's write lock already does).
   */
  lockScope(session: SqlSession, key: string): Promise<void>;
  readBytes(value: unknown): Uint8Array;
  readTime(value: unknown): Date;
  readJson(value: unknown): JsonObject;
  /** Any JSON value (arrays included). */
  readJsonValue(value: unknown): unknown;
  /** A JSON array literal. */
  jsonArray(values: readonly (string | number)[]): SQL;
  readBool(value: unknown): boolean;
  /** A boolean column read as a condition, written so a partial index on it applies. */
  isTrue(column: SQL): SQL;
  /** Locks the selected rows for the transaction (PostgreSQL); SQLite's write lock already does. */
  readonly forUpdate: SQL;
  /** As forUpdate, passing over rows another transaction holds. */
  readonly forUpdateSkipLocked: SQL;
}
