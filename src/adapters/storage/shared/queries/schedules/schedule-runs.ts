import { sql } from 'drizzle-orm';
import type { Schedule, ScheduleRun, ScheduleRunKind, SkippedOccurrences } from '../../../../../core/schedule-repository.js';
import type { Row } from '../../job-rows.js';
import { nullableTimeValue, scheduleRunFromRow } from '../../schedule-rows.js';
import type { SqlDialect } from '../../sql-dialect.js';
import type { SqlSession } from '../../sql-database.js';
import { insertJobs } from '../insert-jobs.js';

/**
 * Records an occurrence's run and, if this is the first decision on that occurrence, makes its job:
 * the unique (schedule_id, occurrence_at) key makes a second decision on the same occurrence (a
 * double claim, a retried pass) a no-op that creates nothing. `occurrence` undefined: now (a trigger).
 */
export async function fireOccurrence(
  s: SqlSession,
  d: SqlDialect,
  schedule: Schedule,
  fire: { kind: Extract<ScheduleRunKind, 'fired' | 'triggered'>; occurrence?: Date; dueAt: Date | null },
  defaultMaxAttempts: number,
): Promise<ScheduleRun | null> {
  const occurrence = fire.occurrence === undefined ? s.now : d.time(fire.occurrence);
  const inserted = await s.all<Row>(sql`
    INSERT INTO schedule_runs (schedule_id, occurrence_at, kind, due_at, decided_at)
    VALUES (${d.id(schedule.id)}, ${occurrence}, ${fire.kind}, ${nullableTimeValue(d, fire.dueAt)}, ${s.now})
    ON CONFLICT (schedule_id, occurrence_at) DO NOTHING
    RETURNING *`);
  const row = inserted[0];
  if (row === undefined) return null;
  const run = scheduleRunFromRow(row, d);
  const [created] = await insertJobs(s, d, [
    {
      pipeline: schedule.pipeline,
      scope: schedule.scope,
      scopeKey: schedule.scopeKey,
      params: schedule.params,
      priority: schedule.priority,
      maxAttempts: schedule.maxAttempts ?? defaultMaxAttempts,
      forceRepublish: schedule.forceRepublish,
      scheduleId: schedule.id,
      correlationId: `schedule:${schedule.id}:${run.occurrenceAt.toISOString()}`,
    },
  ]);
  if (created === undefined) throw new Error('inserting a scheduled job returned nothing');
  await s.run(sql`UPDATE schedule_runs SET job_id = ${d.id(created.job.id)} WHERE id = ${d.id(run.id)}`);
  return { ...run, jobId: created.job.id };
}

/** One row for a range of occurrences that will never fire; a range already recorded is left as it is. */
export async function recordSkipped(s: SqlSession, d: SqlDialect, scheduleId: string, skipped: SkippedOccurrences): Promise<void> {
  await s.run(sql`
    INSERT INTO schedule_runs (schedule_id, occurrence_at, kind, decided_at, last_occurrence_at, skipped_count,
      skipped_count_exact, reason)
    VALUES (${d.id(scheduleId)}, ${d.time(skipped.first)}, ${skipped.kind}, ${s.now}, ${d.time(skipped.last)},
      ${skipped.count}, ${d.bool(skipped.countExact)}, ${skipped.reason})
    ON CONFLICT (schedule_id, occurrence_at) DO NOTHING`);
}
