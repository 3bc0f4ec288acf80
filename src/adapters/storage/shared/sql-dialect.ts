import type { SQL } from 'drizzle-orm';
import type { JsonObject } from '../../../core/job.js';

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
  readTime(value: unknown): Date;
  readJson(value: unknown): JsonObject;
  readBool(value: unknown): boolean;
}
