import { sql } from 'drizzle-orm';
import type { Schedule, SchedulePage, ScheduleRunPage } from '../../../../../core/schedule-repository.js';
import { decodeJobCursor, encodeJobCursor } from '../../job-cursor.js';
import type { Row } from '../../job-rows.js';
import { scheduleFromRow, scheduleRunFromRow } from '../../schedule-rows.js';
import type { SqlDialect } from '../../sql-dialect.js';
import type { SqlSession } from '../../sql-database.js';

/** A schedule by id, deleted ones included (their history stays readable). */
export async function readSchedule(s: SqlSession, d: SqlDialect, id: string): Promise<Schedule | null> {
  const rows = await s.all<Row>(sql`SELECT * FROM schedules WHERE id = ${d.id(id)}`);
  const row = rows[0];
  return row === undefined ? null : scheduleFromRow(row, d);
}

export async function readScheduleByName(s: SqlSession, d: SqlDialect, name: string): Promise<Schedule | null> {
  const rows = await s.all<Row>(sql`SELECT * FROM schedules WHERE name = ${name} AND deleted_at IS NULL`);
  const row = rows[0];
  return row === undefined ? null : scheduleFromRow(row, d);
}

/** Live schedules, newest first, keyset-paginated on id. */
export async function listSchedules(s: SqlSession, d: SqlDialect, request: { limit: number; cursor?: string }): Promise<SchedulePage> {
  const before = request.cursor === undefined ? sql`` : sql`AND id < ${d.id(decodeJobCursor(request.cursor))}`;
  const rows = await s.all<Row>(sql`
    SELECT * FROM schedules WHERE deleted_at IS NULL ${before} ORDER BY id DESC LIMIT ${request.limit + 1}`);
  const schedules = rows.slice(0, request.limit).map((row) => scheduleFromRow(row, d));
  const last = schedules[schedules.length - 1];
  return { schedules, nextCursor: rows.length > request.limit && last !== undefined ? encodeJobCursor(last.id) : null };
}

/** A schedule's runs, the latest decided first. */
export async function listScheduleRuns(
  s: SqlSession,
  d: SqlDialect,
  scheduleId: string,
  request: { limit: number; cursor?: string },
): Promise<ScheduleRunPage> {
  const before = request.cursor === undefined ? sql`` : sql`AND id < ${d.id(decodeJobCursor(request.cursor))}`;
  const rows = await s.all<Row>(sql`
    SELECT * FROM schedule_runs WHERE schedule_id = ${d.id(scheduleId)} ${before} ORDER BY id DESC LIMIT ${request.limit + 1}`);
  const runs = rows.slice(0, request.limit).map((row) => scheduleRunFromRow(row, d));
  const last = runs[runs.length - 1];
  return { runs, nextCursor: rows.length > request.limit && last !== undefined ? encodeJobCursor(last.id) : null };
}
