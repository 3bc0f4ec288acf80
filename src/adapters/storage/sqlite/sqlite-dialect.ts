import { sql } from 'drizzle-orm';
import type { JsonObject } from '../../../core/job.js';
import type { SqlDialect } from '../shared/sql-dialect.js';

/** SQLite keeps instants as integer milliseconds since the epoch, JSON as text, booleans as 0/1. */
export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  addMs: (time, ms) => sql`(${time} + ${Math.round(ms)})`,
  msBetween: (from, to) => sql`(${to} - ${from})`,
  time: (value) => sql`${value.getTime()}`,
  json: (value) => sql`${JSON.stringify(value)}`,
  bool: (value) => sql`${value ? 1 : 0}`,
  id: (value) => sql`${Number(value)}`,
  jsonContains: (column, filter) => {
    const entries = Object.entries(filter);
    if (entries.length === 0) return sql`1 = 1`;
    // json_extract returns SQL values, so strings and numbers compare as they are; objects as JSON text.
    return sql.join(
      entries.map(([key, value]) => {
        const path = `$.${JSON.stringify(key)}`;
        if (value === null) return sql`json_type(${column}, ${path}) = 'null'`;
        if (typeof value === 'boolean') return sql`json_extract(${column}, ${path}) = ${value ? 1 : 0}`;
        if (typeof value === 'object') return sql`json(json_extract(${column}, ${path})) = json(${JSON.stringify(value)})`;
        return sql`json_extract(${column}, ${path}) = ${value}`;
      }),
      sql` AND `,
    );
  },
  // BEGIN IMMEDIATE already made this transaction the only writer.
  lockScope: () => Promise.resolve(),
  readBytes: (value) => {
    if (value instanceof Uint8Array) return value;
    throw new TypeError('expected a BLOB');
  },
  readTime: (value) => {
    if (typeof value === 'number') return new Date(value);
    throw new TypeError(`expected epoch milliseconds, got ${typeof value}`);
  },
  readJson: (value) => {
    const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : undefined;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as JsonObject;
    throw new TypeError('expected a JSON object stored as text');
  },
  readBool: (value) => value === 1,
  readJsonValue: (value) => (typeof value === 'string' ? (JSON.parse(value) as unknown) : value),
  jsonArray: (values) => sql`${JSON.stringify(values)}`,
  isTrue: (column) => sql`${column} = 1`,
  forUpdate: sql``,
  forUpdateSkipLocked: sql``,
};

/** The database clock, in the unit the SQLite schema stores. */
export const SQLITE_NOW_MS = sql`CAST(unixepoch('subsec') * 1000 AS INTEGER)`;
