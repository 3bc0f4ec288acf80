import { sql, type SQL } from 'drizzle-orm';
import type { EnqueueJobInput } from '../../../../../core/job-repository.js';
import type { JobState } from '../../../../../core/job.js';
import type { FireDecision, FireDueRequest, FiredSchedule, Schedule } from '../../../../../core/schedule-repository.js';
import type { Row } from '../../job-rows.js';
import { nullableTimeValue, scheduleFromRow } from '../../schedule-rows.js';
import type { SqlDialect } from '../../sql-dialect.js';
import type { SqlSession } from '../../sql-database.js';
import { insertJobs } from '../insert-jobs.js';

/** One run row a pass wants, before the unique key has had its say. */
interface WantedRun {
  schedule: Schedule;
  occurrence: Date;
  kind: 'fired' | 'skipped_missed' | 'skipped_overlap';
  dueAt: Date | null;
  last: Date | null;
  count: number;
  countExact: boolean;
  reason: string | null;
}

const runKey = (scheduleId: string, occurrence: Date) => `${scheduleId}@${occurrence.getTime()}`;

/**
 * One firing pass, in the caller's transaction, in a fixed number of statements whatever the number
 * of schedules: lock the due schedules no other pass holds (SKIP LOCKED on PostgreSQL; SQLite's
 * write lock makes the pass the only writer), read the state of their previous jobs, let `decide`
 * plan each at the database's now, insert every run at once (the unique (schedule, occurrence) key
 * drops any occurrence already decided), insert a job for each fired run that went in, link them, and
 * move every schedule on.
 */
export async function fireDueSchedules(s: SqlSession, d: SqlDialect, request: FireDueRequest): Promise<FiredSchedule[]> {
  const rows = await s.all<Row>(sql`
    SELECT *, ${s.now} AS pass_now FROM schedules
    WHERE deleted_at IS NULL AND ${d.isTrue(sql`enabled`)}
      -- A held occurrence only once the job before it has ended: picking it while that job is
      -- unfinished would change nothing, and pass after pass it would hold back due schedules.
      AND (fire_at <= ${s.now} OR (buffered_at IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM ingestion_jobs previous
        WHERE previous.id = schedules.last_job_id AND previous.state IN ('pending', 'running'))))
      AND (paused_at IS NULL OR paused_until <= ${s.now})
    ORDER BY fire_at, id
    LIMIT ${request.limit}
    ${d.forUpdateSkipLocked}`);
  if (rows.length === 0) return [];
  const now = d.readTime(rows[0]?.pass_now);
  const schedules = rows.map((row) => scheduleFromRow(row, d));

  const previousIds = schedules.flatMap((schedule) => (schedule.lastJobId === null ? [] : [schedule.lastJobId]));
  const states = new Map<string, JobState>();
  if (previousIds.length > 0) {
    const previous = await s.all<Row>(sql`SELECT id, state FROM ingestion_jobs WHERE id IN ${previousIds.map((id) => d.id(id))}`);
    for (const row of previous) states.set(String(row.id), row.state as JobState);
  }

  const decisions = new Map<string, FireDecision>();
  const wanted: WantedRun[] = [];
  for (const schedule of schedules) {
    const previousJobState = schedule.lastJobId === null ? null : (states.get(schedule.lastJobId) ?? null);
    const decision = request.decide({ schedule, previousJobState }, now);
    decisions.set(schedule.id, decision);
    for (const skipped of decision.skipped) {
      wanted.push({ schedule, occurrence: skipped.first, kind: skipped.kind, dueAt: null, last: skipped.last, count: skipped.count, countExact: skipped.countExact, reason: skipped.reason });
    }
    for (const fire of decision.fire) {
      wanted.push({ schedule, occurrence: fire.occurrence, kind: 'fired', dueAt: fire.dueAt, last: null, count: 0, countExact: true, reason: null });
    }
  }

  // Runs first: only an occurrence whose row goes in gets a job.
  const inserted = new Map<string, string>();
  if (wanted.length > 0) {
    const values = wanted.map(
      (w) => sql`(${d.id(w.schedule.id)}, ${d.time(w.occurrence)}, ${w.kind}, ${nullableTimeValue(d, w.dueAt)}, ${s.now},
        ${nullableTimeValue(d, w.last)}, ${w.count}, ${d.bool(w.countExact)}, ${w.reason})`,
    );
    const runs = await s.all<Row>(sql`
      INSERT INTO schedule_runs (schedule_id, occurrence_at, kind, due_at, decided_at, last_occurrence_at, skipped_count,
        skipped_count_exact, reason)
      VALUES ${sql.join(values, sql`, `)}
      ON CONFLICT (schedule_id, occurrence_at) DO NOTHING
      RETURNING id, schedule_id, occurrence_at`);
    for (const run of runs) inserted.set(runKey(String(run.schedule_id), d.readTime(run.occurrence_at)), String(run.id));
  }

  const fired = wanted.filter((w) => w.kind === 'fired' && inserted.has(runKey(w.schedule.id, w.occurrence)));
  const jobIds = new Map<string, string[]>();
  if (fired.length > 0) {
    const inputs: EnqueueJobInput[] = fired.map((w) => ({
      pipeline: w.schedule.pipeline,
      scope: w.schedule.scope,
      scopeKey: w.schedule.scopeKey,
      params: w.schedule.params,
      priority: w.schedule.priority,
      maxAttempts: w.schedule.maxAttempts ?? request.defaultMaxAttempts,
      forceRepublish: w.schedule.forceRepublish,
      scheduleId: w.schedule.id,
      correlationId: `schedule:${w.schedule.id}:${w.occurrence.toISOString()}`,
    }));
    const jobs = await insertJobs(s, d, inputs);
    const links: SQL[] = [];
    fired.forEach((w, index) => {
      const job = jobs[index]?.job;
      if (job === undefined) throw new Error('inserting scheduled jobs returned fewer jobs than runs');
      jobIds.set(w.schedule.id, [...(jobIds.get(w.schedule.id) ?? []), job.id]);
      links.push(sql`WHEN ${d.id(inserted.get(runKey(w.schedule.id, w.occurrence)) ?? '0')} THEN ${d.id(job.id)}`);
    });
    const runIds = fired.map((w) => d.id(inserted.get(runKey(w.schedule.id, w.occurrence)) ?? '0'));
    await s.run(sql`UPDATE schedule_runs SET job_id = CASE id ${sql.join(links, sql` `)} END WHERE id IN ${runIds}`);
  }

  await moveSchedulesOn(s, d, schedules, decisions, jobIds);
  return schedules.map((schedule) => {
    const decision = decisions.get(schedule.id);
    return {
      scheduleId: schedule.id,
      jobIds: jobIds.get(schedule.id) ?? [],
      skipped: decision?.skipped.reduce((sum, range) => sum + range.count, 0) ?? 0,
    };
  });
}

/** Every schedule's next run, held occurrence, last occurrence and job, and pause, in one UPDATE. */
async function moveSchedulesOn(
  s: SqlSession,
  d: SqlDialect,
  schedules: Schedule[],
  decisions: Map<string, FireDecision>,
  jobIds: Map<string, string[]>,
): Promise<void> {
  // PostgreSQL types a CASE by its branches: one made only of NULLs and parameters needs the column's type.
  const column = (name: string, type: 'timestamptz' | 'bigint' | 'text', value: (schedule: Schedule, decision: FireDecision) => SQL) => {
    const cases = sql`CASE id ${sql.join(
      schedules.map((schedule) => sql`WHEN ${d.id(schedule.id)} THEN ${value(schedule, decisions.get(schedule.id)!)}`),
      sql` `,
    )} END`;
    return sql`${sql.raw(name)} = ${d.name === 'postgres' ? sql`(${cases})::${sql.raw(type)}` : cases}`;
  };
  const lastFired = (decision: FireDecision) => decision.fire.at(-1)?.occurrence ?? null;
  const assignments = [
    column('next_run_at', 'timestamptz', (_, decision) => nullableTimeValue(d, decision.next.nextRunAt)),
    column('fire_at', 'timestamptz', (_, decision) => nullableTimeValue(d, decision.next.fireAt)),
    column('buffered_at', 'timestamptz', (_, decision) => nullableTimeValue(d, decision.bufferedAt)),
    column('last_occurrence_at', 'timestamptz', (_, decision) => {
      const last = lastFired(decision);
      return last === null ? sql`last_occurrence_at` : d.time(last);
    }),
    column('last_job_id', 'bigint', (schedule) => {
      const last = jobIds.get(schedule.id)?.at(-1);
      return last === undefined ? sql`last_job_id` : d.id(last);
    }),
    column('paused_at', 'timestamptz', (_, decision) => (decision.endPause ? sql`NULL` : sql`paused_at`)),
    column('paused_reason', 'text', (_, decision) => (decision.endPause ? sql`NULL` : sql`paused_reason`)),
    column('paused_until', 'timestamptz', (_, decision) => (decision.endPause ? sql`NULL` : sql`paused_until`)),
  ];
  await s.run(sql`
    UPDATE schedules SET ${sql.join(assignments, sql`, `)}, updated_at = ${s.now}
    WHERE id IN ${schedules.map((schedule) => d.id(schedule.id))}`);
}
