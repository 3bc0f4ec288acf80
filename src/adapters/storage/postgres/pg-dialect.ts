import { sql } from 'drizzle-orm';
import type { JsonObject } from '../../../core/job.js';
import type { SqlDialect } from '../shared/sql-dialect.js';

/** timestamptz, jsonb and bigint ids; pg's own type parsers give Date, objects and strings back. */
export const pgDialect: SqlDialect = {
  name: 'postgres',
  addMs: (time, ms) => sql`(${time} + ${ms} * interval '1 millisecond')`,
  msBetween: (from, to) => sql`(floor(extract(epoch from (${to} - ${from})) * 1000))::bigint`,
  time: (value) => sql`${value.toISOString()}::timestamptz`,
  json: (value) => sql`${JSON.stringify(value)}::jsonb`,
  bool: (value) => sql`${value}::boolean`,
  id: (value) => sql`${value}::bigint`,
  jsonContains: (column, filter) => sql`${column} @> ${JSON.stringify(filter)}::jsonb`,
  lockScope: async (session, key) => {
    await session.all(sql`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`);
  },
  readBytes: (value) => {
    if (value instanceof Uint8Array) return value;
    throw new TypeError('expected bytea');
  },
  readTime: (value) => {
    if (value instanceof Date) return value;
    throw new TypeError(`expected a timestamptz, got ${typeof value}`);
  },
  readJson: (value) => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as JsonObject;
    throw new TypeError('expected a jsonb object');
  },
  readBool: (value) => value === true,
  readJsonValue: (value) => value,
  jsonArray: (values) => sql`${JSON.stringify(values)}::jsonb`,
  isTrue: (column) => column,
  forUpdate: sql`FOR UPDATE`,
  forUpdateSkipLocked: sql`FOR UPDATE SKIP LOCKED`,
};
