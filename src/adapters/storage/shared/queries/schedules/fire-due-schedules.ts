import { sql } from 'drizzle-orm';
import type { JobState } from '../../../../../core/job.js';
import type { FireDueRequest, FiredSchedule } from '../../../../../core/schedule-repository.js';
import type { Row } from '../../job-rows.js';
import { nullableTimeValue, scheduleFromRow } from '../../schedule-rows.js';
import type { SqlDialect } from '../../sql-dialect.js';
import type { SqlSession } from '../../sql-database.js';
import { fireOccurrence, recordSkipped } from './schedule-runs.js';

/**
 * One firing pass, in the caller's transaction. Locks the due schedules no other pass holds (SKIP
 * LOCKED on PostgreSQL; SQLite's write lock makes the pass the only writer), lets `decide` plan each
 * at the database's now, then writes the plan: its runs and jobs (fireOccurrence makes one job per
 * occurrence at most, whatever else has run) and the schedule's next run.
 */
export async function fireDueSchedules(s: SqlSession, d: SqlDialect, request: FireDueRequest): Promise<FiredSchedule[]> {
  const [clock] = await s.all<Row>(sql`SELECT ${s.now} AS now`);
  if (clock === undefined) throw new Error('the database gave no time');
  const now = d.readTime(clock.now);
  const rows = await s.all<Row>(sql`
    SELECT * FROM schedules
    WHERE deleted_at IS NULL AND ${d.isTrue(sql`enabled`)}
      AND (fire_at <= ${s.now} OR buffered_at IS NOT NULL)
      AND (paused_at IS NULL OR paused_until <= ${s.now})
    ORDER BY fire_at, id
    LIMIT ${request.limit}
    ${d.forUpdateSkipLocked}`);
  if (rows.length === 0) return [];
  const schedules = rows.map((row) => scheduleFromRow(row, d));

  const previousIds = schedules.flatMap((schedule) => (schedule.lastJobId === null ? [] : [schedule.lastJobId]));
  const states = new Map<string, JobState>();
  if (previousIds.length > 0) {
    const previous = await s.all<Row>(sql`
      SELECT id, state FROM ingestion_jobs WHERE id IN ${previousIds.map((id) => d.id(id))}`);
    for (const row of previous) states.set(String(row.id), row.state as JobState);
  }

  const fired: FiredSchedule[] = [];
  for (const schedule of schedules) {
    const previousJobState = schedule.lastJobId === null ? null : (states.get(schedule.lastJobId) ?? null);
    const decision = request.decide({ schedule, previousJobState }, now);
    for (const skipped of decision.skipped) await recordSkipped(s, d, schedule.id, skipped);
    const jobIds: string[] = [];
    let lastOccurrence: Date | null = null;
    for (const fire of decision.fire) {
      const run = await fireOccurrence(s, d, schedule, { kind: 'fired', occurrence: fire.occurrence, dueAt: fire.dueAt }, request.defaultMaxAttempts);
      if (run?.jobId != null) jobIds.push(run.jobId);
      lastOccurrence = fire.occurrence;
    }
    const lastJobId = jobIds[jobIds.length - 1] ?? null;
    await s.run(sql`
      UPDATE schedules SET
        next_run_at = ${nullableTimeValue(d, decision.next.nextRunAt)},
        fire_at = ${nullableTimeValue(d, decision.next.fireAt)},
        buffered_at = ${nullableTimeValue(d, decision.bufferedAt)},
        last_occurrence_at = ${lastOccurrence === null ? sql`last_occurrence_at` : d.time(lastOccurrence)},
        last_job_id = ${lastJobId === null ? sql`last_job_id` : d.id(lastJobId)},
        ${decision.endPause ? sql`paused_at = NULL, paused_reason = NULL, paused_until = NULL,` : sql``}
        updated_at = ${s.now}
      WHERE id = ${d.id(schedule.id)}`);
    fired.push({ scheduleId: schedule.id, jobIds, skipped: decision.skipped.reduce((sum, range) => sum + range.count, 0) });
  }
  return fired;
}
