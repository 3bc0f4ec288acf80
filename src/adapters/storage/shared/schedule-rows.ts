import { sql, type SQL } from 'drizzle-orm';
import type { Schedule, ScheduleDefinition, ScheduleRun, ScheduleRunKind } from '../../../core/schedule-repository.js';
import { nullableString, nullableTime, type Row } from './job-rows.js';
import type { SqlDialect } from './sql-dialect.js';

const nullableNumber = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
export function nullableId(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') return String(value);
  throw new TypeError(`expected an id, got ${typeof value}`);
}
const time = (d: SqlDialect, value: Date | null): SQL => (value === null ? sql`NULL` : d.time(value));

export function scheduleFromRow(row: Row, d: SqlDialect): Schedule {
  return {
    id: String(row.id),
    name: String(row.name),
    pipeline: String(row.pipeline),
    scope: d.readJson(row.scope),
    scopeKey: String(row.scope_key),
    params: d.readJson(row.params),
    priority: Number(row.priority),
    maxAttempts: nullableNumber(row.max_attempts),
    forceRepublish: d.readBool(row.force_republish),
    cron: nullableString(row.cron),
    timeZone: String(row.time_zone),
    intervalSeconds: nullableNumber(row.interval_seconds),
    startAt: nullableTime(row.start_at, d),
    endAt: nullableTime(row.end_at, d),
    jitterSeconds: Number(row.jitter_seconds),
    missedPolicy: row.missed_policy as Schedule['missedPolicy'],
    maxCatchup: Number(row.max_catchup),
    overlapPolicy: row.overlap_policy as Schedule['overlapPolicy'],
    enabled: d.readBool(row.enabled),
    origin: row.origin as Schedule['origin'],
    pausedAt: nullableTime(row.paused_at, d),
    pausedReason: nullableString(row.paused_reason),
    pausedUntil: nullableTime(row.paused_until, d),
    nextRunAt: nullableTime(row.next_run_at, d),
    fireAt: nullableTime(row.fire_at, d),
    bufferedAt: nullableTime(row.buffered_at, d),
    lastOccurrenceAt: nullableTime(row.last_occurrence_at, d),
    lastJobId: nullableId(row.last_job_id),
    createdAt: d.readTime(row.created_at),
    updatedAt: d.readTime(row.updated_at),
    deletedAt: nullableTime(row.deleted_at, d),
  };
}

export function scheduleRunFromRow(row: Row, d: SqlDialect): ScheduleRun {
  return {
    id: String(row.id),
    scheduleId: String(row.schedule_id),
    occurrenceAt: d.readTime(row.occurrence_at),
    kind: row.kind as ScheduleRunKind,
    dueAt: nullableTime(row.due_at, d),
    decidedAt: d.readTime(row.decided_at),
    jobId: nullableId(row.job_id),
    lastOccurrenceAt: nullableTime(row.last_occurrence_at, d),
    skippedCount: Number(row.skipped_count),
    skippedCountExact: d.readBool(row.skipped_count_exact),
    reason: nullableString(row.reason),
  };
}

/** The definition's columns and values, in one order, for INSERT and UPDATE alike. */
export function definitionColumns(d: SqlDialect, definition: ScheduleDefinition): [string, SQL][] {
  return [
    ['name', sql`${definition.name}`],
    ['pipeline', sql`${definition.pipeline}`],
    ['scope', d.json(definition.scope)],
    ['scope_key', sql`${definition.scopeKey}`],
    ['params', d.json(definition.params)],
    ['priority', sql`${definition.priority}`],
    ['max_attempts', sql`${definition.maxAttempts}`],
    ['force_republish', d.bool(definition.forceRepublish)],
    ['cron', sql`${definition.cron}`],
    ['time_zone', sql`${definition.timeZone}`],
    ['interval_seconds', sql`${definition.intervalSeconds}`],
    ['start_at', time(d, definition.startAt)],
    ['end_at', time(d, definition.endAt)],
    ['jitter_seconds', sql`${definition.jitterSeconds}`],
    ['missed_policy', sql`${definition.missedPolicy}`],
    ['max_catchup', sql`${definition.maxCatchup}`],
    ['overlap_policy', sql`${definition.overlapPolicy}`],
    ['enabled', d.bool(definition.enabled)],
    ['origin', sql`${definition.origin}`],
  ];
}

export function nullableTimeValue(d: SqlDialect, value: Date | null): SQL {
  return time(d, value);
}
