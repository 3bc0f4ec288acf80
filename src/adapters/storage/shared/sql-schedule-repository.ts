import { sql } from 'drizzle-orm';
import type {
  FireDueRequest,
  FiredSchedule,
  NextRun,
  Schedule,
  ScheduleDefinition,
  SchedulePage,
  ScheduleRepository,
  ScheduleRun,
  ScheduleRunPage,
  ScheduleWrite,
} from '../../../core/schedule-repository.js';
import { isUniqueViolation } from './database-errors.js';
import { isJobId } from './job-cursor.js';
import type { Row } from './job-rows.js';
import { fireDueSchedules } from './queries/schedules/fire-due-schedules.js';
import { listScheduleRuns, listSchedules, readSchedule, readScheduleByName } from './queries/schedules/schedule-reads.js';
import { fireOccurrence } from './queries/schedules/schedule-runs.js';
import { insertSchedule, lockSchedule, markScheduleDeleted, rewriteSchedule, setSchedulePause } from './queries/schedules/schedule-writes.js';
import type { SqlDatabase, SqlSession } from './sql-database.js';
import type { SqlDialect } from './sql-dialect.js';

const NOT_FOUND = { ok: false, reason: 'not_found' } as const;

/** The schedules of both dialects; `announceJobs` wakes workers from inside a transaction that made jobs. */
export class SqlScheduleRepository implements ScheduleRepository {
  constructor(
    private readonly db: SqlDatabase,
    private readonly d: SqlDialect,
    private readonly announceJobs: (session: SqlSession) => Promise<void>,
  ) {}

  createSchedule(definition: ScheduleDefinition, plan: (now: Date) => NextRun): Promise<ScheduleWrite> {
    return this.db.transaction(async (s) => insertSchedule(s, this.d, definition, plan(await this.now(s))));
  }

  updateSchedule(
    id: string,
    change: (current: Schedule, now: Date) => { definition: ScheduleDefinition; next: NextRun; keepHeld?: boolean } | undefined,
  ): Promise<ScheduleWrite> {
    if (!isJobId(id)) return Promise.resolve(NOT_FOUND);
    let wantedName: string | undefined;
    return this.db
      .transaction(async (s) => {
        const current = await lockSchedule(s, this.d, id);
        if (current === null) return NOT_FOUND;
        const changed = change(current, await this.now(s));
        if (changed === undefined) return { ok: true, schedule: current } as const;
        wantedName = changed.definition.name;
        return rewriteSchedule(s, this.d, id, changed.definition, changed.next, changed.keepHeld ?? false);
      })
      .catch(async (error: unknown): Promise<ScheduleWrite> => {
        // Another write took the name between the check and this update (both uncommitted then).
        if (wantedName === undefined || !isUniqueViolation(error, 'schedules', 'name')) throw error;
        const existing = await this.getScheduleByName(wantedName);
        if (existing === null) throw error;
        return { ok: false, reason: 'name_taken', existing };
      });
  }

  deleteSchedule(id: string): Promise<ScheduleWrite> {
    if (!isJobId(id)) return Promise.resolve(NOT_FOUND);
    return this.db.transaction((s) => markScheduleDeleted(s, this.d, id));
  }

  pauseSchedule(id: string, reason: string, until: Date | null): Promise<ScheduleWrite> {
    if (!isJobId(id)) return Promise.resolve(NOT_FOUND);
    return this.db.transaction((s) => setSchedulePause(s, this.d, id, { reason, until }));
  }

  resumeSchedule(id: string, plan: (current: Schedule, now: Date) => NextRun): Promise<ScheduleWrite> {
    if (!isJobId(id)) return Promise.resolve(NOT_FOUND);
    return this.db.transaction(async (s) => {
      const current = await lockSchedule(s, this.d, id);
      if (current === null) return NOT_FOUND;
      return setSchedulePause(s, this.d, id, null, plan(current, await this.now(s)));
    });
  }

  getSchedule(id: string): Promise<Schedule | null> {
    if (!isJobId(id)) return Promise.resolve(null);
    return this.db.transaction((s) => readSchedule(s, this.d, id));
  }

  getScheduleByName(name: string): Promise<Schedule | null> {
    return this.db.transaction((s) => readScheduleByName(s, this.d, name));
  }

  listSchedules(request: { limit: number; cursor?: string }): Promise<SchedulePage> {
    return this.db.transaction((s) => listSchedules(s, this.d, request));
  }

  triggerSchedule(id: string, defaultMaxAttempts: number): Promise<{ ok: true; run: ScheduleRun } | { ok: false; reason: 'not_found' }> {
    if (!isJobId(id)) return Promise.resolve(NOT_FOUND);
    return this.db.transaction(async (s) => {
      const schedule = await lockSchedule(s, this.d, id);
      if (schedule === null) return NOT_FOUND;
      const occurrence = await this.freeInstant(s, schedule, await this.now(s));
      const run = await fireOccurrence(s, this.d, schedule, { kind: 'triggered', occurrence, dueAt: null }, defaultMaxAttempts);
      if (run === null) throw new Error(`schedule ${id}: the trigger's occurrence ${occurrence.toISOString()} was taken`);
      await s.run(sql`UPDATE schedules SET last_job_id = ${this.d.id(run.jobId ?? '0')}, updated_at = ${s.now} WHERE id = ${this.d.id(id)}`);
      await this.announceJobs(s);
      return { ok: true, run };
    });
  }

  listScheduleRuns(scheduleId: string, request: { limit: number; cursor?: string }): Promise<ScheduleRunPage> {
    if (!isJobId(scheduleId)) return Promise.resolve({ runs: [], nextCursor: null });
    return this.db.transaction((s) => listScheduleRuns(s, this.d, scheduleId, request));
  }

  fireDueSchedules(request: FireDueRequest): Promise<FiredSchedule[]> {
    return this.db.transaction(async (s) => {
      const fired = await fireDueSchedules(s, this.d, request);
      if (fired.some((f) => f.jobIds.length > 0)) await this.announceJobs(s);
      return fired;
    });
  }

  /**
   * The first millisecond at or after `now` that no run of the schedule holds, nor its next or held
   * occurrence: two triggers within one millisecond (SQLite's clock) are two runs, and a trigger never
   * takes the instant of a scheduled occurrence, whose run would then be dropped. The row is locked.
   */
  private async freeInstant(s: SqlSession, schedule: Schedule, now: Date): Promise<Date> {
    const rows = await s.all<Row>(sql`
      SELECT occurrence_at FROM schedule_runs WHERE schedule_id = ${this.d.id(schedule.id)} AND occurrence_at >= ${this.d.time(now)}`);
    const taken = new Set(rows.map((row) => this.d.readTime(row.occurrence_at).getTime()));
    for (const held of [schedule.nextRunAt, schedule.bufferedAt]) if (held !== null) taken.add(held.getTime());
    let at = now.getTime();
    while (taken.has(at)) at += 1;
    return new Date(at);
  }

  private async now(s: SqlSession): Promise<Date> {
    const [row] = await s.all<Row>(sql`SELECT ${s.now} AS now`);
    if (row === undefined) throw new Error('the database gave no time');
    return this.d.readTime(row.now);
  }
}
