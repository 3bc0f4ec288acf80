import { sql } from 'drizzle-orm';
import type { NextRun, Schedule, ScheduleDefinition, ScheduleWrite } from '../../../../../core/schedule-repository.js';
import type { Row } from '../../job-rows.js';
import { definitionColumns, nullableTimeValue, scheduleFromRow } from '../../schedule-rows.js';
import type { SqlDialect } from '../../sql-dialect.js';
import type { SqlSession } from '../../sql-database.js';

/** The live schedule (not deleted), locked for the rest of the transaction on PostgreSQL. */
export async function lockSchedule(s: SqlSession, d: SqlDialect, id: string): Promise<Schedule | null> {
  const rows = await s.all<Row>(sql`SELECT * FROM schedules WHERE id = ${d.id(id)} AND deleted_at IS NULL ${d.forUpdate}`);
  const row = rows[0];
  return row === undefined ? null : scheduleFromRow(row, d);
}

async function liveNamed(s: SqlSession, d: SqlDialect, name: string): Promise<Schedule | null> {
  const rows = await s.all<Row>(sql`SELECT * FROM schedules WHERE name = ${name} AND deleted_at IS NULL`);
  const row = rows[0];
  return row === undefined ? null : scheduleFromRow(row, d);
}

export async function insertSchedule(s: SqlSession, d: SqlDialect, definition: ScheduleDefinition, next: NextRun): Promise<ScheduleWrite> {
  const columns = definitionColumns(d, definition);
  const rows = await s.all<Row>(sql`
    INSERT INTO schedules (${sql.raw(columns.map(([name]) => name).join(', '))}, next_run_at, fire_at, created_at, updated_at)
    VALUES (${sql.join(
      columns.map(([, value]) => value),
      sql`, `,
    )}, ${nullableTimeValue(d, next.nextRunAt)}, ${nullableTimeValue(d, next.fireAt)}, ${s.now}, ${s.now})
    ON CONFLICT (name) WHERE deleted_at IS NULL DO NOTHING
    RETURNING *`);
  const row = rows[0];
  if (row !== undefined) return { ok: true, schedule: scheduleFromRow(row, d) };
  const existing = await liveNamed(s, d, definition.name);
  if (existing === null) throw new Error(`schedule "${definition.name}" conflicted on its name but cannot be found`);
  return { ok: false, reason: 'name_taken', existing };
}

/** A new definition; a held (buffered) occurrence is dropped unless `keepHeld` (the timing it came from is unchanged). */
export async function rewriteSchedule(
  s: SqlSession,
  d: SqlDialect,
  id: string,
  definition: ScheduleDefinition,
  next: NextRun,
  keepHeld: boolean,
): Promise<ScheduleWrite> {
  const existing = await liveNamed(s, d, definition.name);
  if (existing !== null && existing.id !== id) return { ok: false, reason: 'name_taken', existing };
  const assignments = definitionColumns(d, definition).map(([name, value]) => sql`${sql.raw(name)} = ${value}`);
  const rows = await s.all<Row>(sql`
    UPDATE schedules SET ${sql.join(assignments, sql`, `)},
      next_run_at = ${nullableTimeValue(d, next.nextRunAt)}, fire_at = ${nullableTimeValue(d, next.fireAt)},
      buffered_at = ${keepHeld ? sql`buffered_at` : sql`NULL`}, updated_at = ${s.now}
    WHERE id = ${d.id(id)} AND deleted_at IS NULL
    RETURNING *`);
  const row = rows[0];
  return row === undefined ? { ok: false, reason: 'not_found' } : { ok: true, schedule: scheduleFromRow(row, d) };
}

export async function markScheduleDeleted(s: SqlSession, d: SqlDialect, id: string): Promise<ScheduleWrite> {
  const rows = await s.all<Row>(sql`
    UPDATE schedules SET deleted_at = ${s.now}, updated_at = ${s.now}, enabled = ${d.bool(false)},
      next_run_at = NULL, fire_at = NULL, buffered_at = NULL
    WHERE id = ${d.id(id)} AND deleted_at IS NULL
    RETURNING *`);
  const row = rows[0];
  return row === undefined ? { ok: false, reason: 'not_found' } : { ok: true, schedule: scheduleFromRow(row, d) };
}

export async function setSchedulePause(
  s: SqlSession,
  d: SqlDialect,
  id: string,
  pause: { reason: string; until: Date | null } | null,
  next?: NextRun,
): Promise<ScheduleWrite> {
  const placement =
    next === undefined ? sql`` : sql`, next_run_at = ${nullableTimeValue(d, next.nextRunAt)}, fire_at = ${nullableTimeValue(d, next.fireAt)}`;
  const paused =
    pause === null
      ? sql`paused_at = NULL, paused_reason = NULL, paused_until = NULL`
      : sql`paused_at = ${s.now}, paused_reason = ${pause.reason}, paused_until = ${nullableTimeValue(d, pause.until)}`;
  const rows = await s.all<Row>(sql`
    UPDATE schedules SET ${paused}${placement}, updated_at = ${s.now}
    WHERE id = ${d.id(id)} AND deleted_at IS NULL
    RETURNING *`);
  const row = rows[0];
  return row === undefined ? { ok: false, reason: 'not_found' } : { ok: true, schedule: scheduleFromRow(row, d) };
}
