import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/adapters/storage/shared/storage.js';
import type { DueSchedule, FireDecision, NextRun, ScheduleDefinition } from '../../src/core/schedule-repository.js';
import { migrateDatabase, openStorage } from '../../src/platform/storage.js';
import { scheduleDefinition } from '../support/schedule-definition.js';
import type { TestDatabase } from '../support/test-databases.js';
import { databaseConfig, type DatabaseConfig } from '../support/test-databases.js';

const MINUTE = 60_000;
const at = (base: Date, ms: number) => new Date(base.getTime() + ms);

/**
 * The schedules table and its runs on a real database: what the scheduler relies on to fire each
 * occurrence exactly once. The time maths is not under test here: `decide` callbacks say what to do.
 */
export function describeScheduleRepositoryContract(driver: 'postgres' | 'sqlite', createDatabase: () => Promise<TestDatabase>): void {
  describe(`ScheduleRepository contract (${driver})`, () => {
    let database: TestDatabase;
    let config: DatabaseConfig;
    const opened: Storage[] = [];
    let storage: Storage;
    let seq = 0;

    const open = () => {
      const next = openStorage(config);
      opened.push(next);
      return next;
    };
    const definition = (extra: Partial<ScheduleDefinition> = {}): ScheduleDefinition => {
      seq++;
      return scheduleDefinition(`schedule-${seq}-${Date.now()}`, `s${seq}`, extra);
    };
    /** Due half a minute ago: the next pass takes it, and its next occurrence a minute on is not due yet. */
    const dueNow = (now: Date): NextRun => ({ nextRunAt: at(now, -MINUTE / 2), fireAt: at(now, -MINUTE / 2) });
    /** Fires the schedule's next run and moves it a minute on. */
    const fireNext = (due: DueSchedule, now: Date): FireDecision => {
      const occurrence = due.schedule.nextRunAt ?? now;
      return {
        fire: [{ occurrence, dueAt: occurrence }],
        skipped: [],
        next: { nextRunAt: at(occurrence, MINUTE), fireAt: at(occurrence, MINUTE) },
        bufferedAt: null,
        endPause: false,
      };
    };
    /** Passes until none is due; returns every job created. */
    const drain = async (decide = fireNext, from = storage) => {
      const jobs: string[] = [];
      for (;;) {
        const fired = await from.schedules.fireDueSchedules({ limit: 50, defaultMaxAttempts: 3, decide });
        jobs.push(...fired.flatMap((f) => f.jobIds));
        if (fired.length === 0) return jobs;
      }
    };
    const create = async (extra: Partial<ScheduleDefinition> = {}, plan: (now: Date) => NextRun = dueNow) => {
      const written = await storage.schedules.createSchedule(definition(extra), plan);
      if (!written.ok) throw new Error(`create failed: ${written.reason}`);
      return written.schedule;
    };

    beforeAll(async () => {
      database = await createDatabase();
      config = databaseConfig(driver, database.dsn);
      await migrateDatabase(config);
      storage = open();
    });
    afterAll(async () => {
      await Promise.all(opened.map((s) => s.jobs.close()));
      await database.drop();
    });

    it('stores a schedule, refuses a second live one of the same name, and frees the name on delete while keeping its history', async () => {
      const schedule = await create({ maxAttempts: 4, priority: 3 }, () => ({ nextRunAt: null, fireAt: null }));
      expect(await storage.schedules.getSchedule(schedule.id)).toEqual(schedule);
      expect(await storage.schedules.getScheduleByName(schedule.name)).toEqual(schedule);
      const again = await storage.schedules.createSchedule({ ...definition(), name: schedule.name }, dueNow);
      expect(again).toMatchObject({ ok: false, reason: 'name_taken', existing: { id: schedule.id } });

      const triggered = await storage.schedules.triggerSchedule(schedule.id, 3);
      expect(triggered).toMatchObject({ ok: true, run: { kind: 'triggered', dueAt: null } });
      const deleted = await storage.schedules.deleteSchedule(schedule.id);
      expect(deleted).toMatchObject({ ok: true, schedule: { enabled: false, nextRunAt: null } });
      expect((await storage.schedules.getSchedule(schedule.id))?.deletedAt).toBeInstanceOf(Date);
      expect(await storage.schedules.getScheduleByName(schedule.name)).toBeNull();
      expect((await storage.schedules.listScheduleRuns(schedule.id, { limit: 10 })).runs).toHaveLength(1);
      expect((await storage.schedules.listSchedules({ limit: 100 })).schedules.map((s) => s.id)).not.toContain(schedule.id);
      const reused = await storage.schedules.createSchedule({ ...definition(), name: schedule.name }, () => ({ nextRunAt: null, fireAt: null }));
      expect(reused.ok).toBe(true);
      expect(await storage.schedules.deleteSchedule(schedule.id)).toEqual({ ok: false, reason: 'not_found' });
      expect(await storage.schedules.getSchedule('not-an-id')).toBeNull();
    });

    it('makes a run and a job of every trigger, however close together they come', async () => {
      const schedule = await create({}, () => ({ nextRunAt: null, fireAt: null }));
      const triggers = await Promise.all(Array.from({ length: 30 }, () => storage.schedules.triggerSchedule(schedule.id, 3)));
      expect(triggers.every((t) => t.ok)).toBe(true);
      const runs = (await storage.schedules.listScheduleRuns(schedule.id, { limit: 100 })).runs;
      expect(runs).toHaveLength(30);
      expect(new Set(runs.map((r) => r.jobId)).size).toBe(30);
      for (const run of runs) await storage.jobs.cancelJob(run.jobId!);
      await storage.schedules.deleteSchedule(schedule.id);
    });

    it('answers name_taken, never an error, when two renames race for one name', async () => {
      for (let round = 0; round < 5; round++) {
        const [a, b] = await Promise.all([create({}, () => ({ nextRunAt: null, fireAt: null })), create({}, () => ({ nextRunAt: null, fireAt: null }))]);
        const wanted = `raced-${round}-${Date.now()}`;
        // Separate connections, so on PostgreSQL both name checks can pass before either update commits.
        const [first, second] = [open(), open()];
        const rename = (from: Storage, id: string) =>
          from.schedules.updateSchedule(id, (current) => ({ definition: { ...current, name: wanted }, next: { nextRunAt: null, fireAt: null } }));
        const outcomes = await Promise.all([rename(first, a.id), rename(second, b.id)]);
        expect(outcomes.map((o) => (o.ok ? 'ok' : o.reason)).sort()).toEqual(['name_taken', 'ok']);
        const taken = outcomes.find((o) => !o.ok);
        expect(taken).toMatchObject({ reason: 'name_taken', existing: { name: wanted } });
      }
    });

    it('fires a due schedule into a job carrying the schedule, records the run, and moves the next run', async () => {
      const schedule = await create({ maxAttempts: null, priority: 5, params: { sleep_ms: 0 } });
      const jobs = await drain();
      expect(jobs).toHaveLength(1);
      const job = (await storage.jobs.getJob(jobs[0]!))!.job;
      expect(job).toMatchObject({
        pipeline: 'system.noop',
        scope: schedule.scope,
        params: { sleep_ms: 0 },
        priority: 5,
        maxAttempts: 3,
        scheduleId: schedule.id,
        correlationId: `schedule:${schedule.id}:${schedule.nextRunAt!.toISOString()}`,
        state: 'pending',
      });
      const after = await storage.schedules.getSchedule(schedule.id);
      expect(after).toMatchObject({ lastJobId: job.id, lastOccurrenceAt: schedule.nextRunAt, nextRunAt: at(schedule.nextRunAt!, MINUTE) });
      const { runs } = await storage.schedules.listScheduleRuns(schedule.id, { limit: 10 });
      expect(runs).toEqual([
        expect.objectContaining({ kind: 'fired', occurrenceAt: schedule.nextRunAt, dueAt: schedule.nextRunAt, jobId: job.id }) as unknown,
      ]);
    });

    it('never makes a second job for an occurrence already decided, however often it is decided again', async () => {
      const schedule = await create();
      const stale = (due: DueSchedule): FireDecision => ({
        // A pass that decides the first occurrence again, as a retried or doubled one would.
        fire: [{ occurrence: schedule.nextRunAt!, dueAt: schedule.nextRunAt! }],
        skipped: [],
        next: { nextRunAt: due.schedule.nextRunAt, fireAt: at(due.schedule.createdAt, 10 * MINUTE) },
        bufferedAt: null,
        endPause: false,
      });
      const first = await storage.schedules.fireDueSchedules({ limit: 50, defaultMaxAttempts: 3, decide: fireNext });
      expect(first.find((f) => f.scheduleId === schedule.id)?.jobIds).toHaveLength(1);
      await storage.schedules.updateSchedule(schedule.id, (current) => ({ definition: current, next: { nextRunAt: schedule.nextRunAt, fireAt: schedule.fireAt } }));
      const second = await storage.schedules.fireDueSchedules({ limit: 50, defaultMaxAttempts: 3, decide: stale });
      expect(second.find((f) => f.scheduleId === schedule.id)).toEqual({ scheduleId: schedule.id, jobIds: [], skipped: 0 });
      const page = await storage.jobs.listJobs({ filter: { pipeline: 'system.noop', scopeKey: schedule.scopeKey }, limit: 10 });
      expect(page.jobs).toHaveLength(1);
      await storage.schedules.deleteSchedule(schedule.id);
    });

    it('loses nothing when a pass fails between deciding and writing: the next pass fires the occurrence', async () => {
      const schedule = await create();
      await expect(
        storage.schedules.fireDueSchedules({
          limit: 50,
          defaultMaxAttempts: 3,
          decide: (due, now) => {
            if (due.schedule.id === schedule.id) throw new Error('the worker died here');
            return fireNext(due, now);
          },
        }),
      ).rejects.toThrow('the worker died here');
      expect(await storage.schedules.listScheduleRuns(schedule.id, { limit: 10 })).toEqual({ runs: [], nextCursor: null });
      expect(await storage.schedules.getSchedule(schedule.id)).toMatchObject({ nextRunAt: schedule.nextRunAt, lastJobId: null });
      expect(await drain()).toHaveLength(1);
      expect((await storage.schedules.listScheduleRuns(schedule.id, { limit: 10 })).runs).toHaveLength(1);
    });

    it('makes exactly one job per occurrence with passes racing on separate connections', async () => {
      const schedules = await Promise.all(Array.from({ length: 12 }, () => create()));
      const ids = new Set(schedules.map((s) => s.id));
      // Three occurrences a millisecond apart each, all due, fired by whichever pass gets there.
      const upTo = (due: DueSchedule, now: Date): FireDecision => {
        const decision = fireNext(due, now);
        const occurrence = decision.fire[0]!.occurrence;
        const third = at(schedules.find((s) => s.id === due.schedule.id)?.nextRunAt ?? occurrence, 2);
        const next = occurrence.getTime() >= third.getTime() ? null : at(occurrence, 1);
        return { ...decision, next: { nextRunAt: next, fireAt: next } };
      };
      const racers = Array.from({ length: 6 }, () => open());
      const created = (await Promise.all(racers.map((racer) => drain(upTo, racer)))).flat();
      const ours = [];
      for (const id of created) {
        const job = (await storage.jobs.getJob(id))!.job;
        if (ids.has(job.scheduleId ?? '')) ours.push(`${job.scheduleId}@${job.correlationId}`);
      }
      expect(ours).toHaveLength(36);
      expect(new Set(ours).size).toBe(36);
    });

    it('skips a paused schedule until its pause ends, and tells decide the previous job\'s state', async () => {
      const schedule = await create({ overlapPolicy: 'skip' });
      const paused = await storage.schedules.pauseSchedule(schedule.id, 'provider maintenance', null);
      expect(paused).toMatchObject({ ok: true, schedule: { pausedReason: 'provider maintenance', pausedUntil: null } });
      const seen: DueSchedule[] = [];
      const watch = (due: DueSchedule, now: Date) => {
        if (due.schedule.id === schedule.id) seen.push(due);
        return fireNext(due, now);
      };
      await drain(watch);
      expect(seen).toEqual([]);

      const resumed = await storage.schedules.resumeSchedule(schedule.id, (_current, now) => dueNow(now));
      expect(resumed).toMatchObject({ ok: true, schedule: { pausedAt: null, pausedReason: null } });
      const jobs = await drain(watch);
      expect(seen.map((due) => due.previousJobState)).toEqual([null]);
      // The job it made is pending: the next pass sees that.
      await storage.schedules.updateSchedule(schedule.id, (current, now) => ({ definition: current, next: dueNow(now) }));
      await drain(watch);
      expect(seen.map((due) => due.previousJobState)).toEqual([null, 'pending']);
      expect(jobs).toHaveLength(1);

      // A pause whose end has come is due again; decide may end it.
      await storage.schedules.pauseSchedule(schedule.id, 'brief', new Date(Date.now() - MINUTE));
      await storage.schedules.updateSchedule(schedule.id, (current, now) => ({ definition: current, next: dueNow(now) }));
      await drain((due, now) => ({ ...watch(due, now), endPause: true }));
      expect(await storage.schedules.getSchedule(schedule.id)).toMatchObject({ pausedAt: null, pausedUntil: null });
      expect(seen).toHaveLength(3);
    });

    it('records skipped ranges and buffered occurrences, and lists runs latest first, page by page', async () => {
      const schedule = await create();
      const first = schedule.nextRunAt!;
      await drain((due, now) => {
        if (due.schedule.id !== schedule.id) return fireNext(due, now);
        return {
          fire: [{ occurrence: at(first, 10 * MINUTE), dueAt: at(first, 10 * MINUTE) }],
          skipped: [{ kind: 'skipped_missed', first, last: at(first, 9 * MINUTE), count: 10, countExact: true, reason: 'MISSED' }],
          next: { nextRunAt: at(first, 11 * MINUTE), fireAt: at(first, 11 * MINUTE) },
          bufferedAt: null,
          endPause: false,
        };
      });
      const page1 = await storage.schedules.listScheduleRuns(schedule.id, { limit: 1 });
      expect(page1.runs.map((r) => r.kind)).toEqual(['fired']);
      const page2 = await storage.schedules.listScheduleRuns(schedule.id, { limit: 1, cursor: page1.nextCursor! });
      expect(page2).toEqual({
        runs: [
          expect.objectContaining({
            kind: 'skipped_missed',
            occurrenceAt: first,
            lastOccurrenceAt: at(first, 9 * MINUTE),
            skippedCount: 10,
            skippedCountExact: true,
            reason: 'MISSED',
            jobId: null,
          }) as unknown,
        ],
        nextCursor: null,
      });
    });
  });
}
