import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HandlerRegistry } from '../../src/application/handler-registry.js';
import { systemNoopHandler } from '../../src/application/pipelines/system-noop.js';
import { Scheduler } from '../../src/application/scheduler/scheduler.js';
import { ScheduleService } from '../../src/application/scheduler/schedule-service.js';
import { nextRunFrom, timingOf } from '../../src/application/scheduler/schedule-timing.js';
import type { Storage } from '../../src/adapters/storage/shared/storage.js';
import { createCronerEngine } from '../../src/adapters/schedule/croner-engine.js';
import type { Schedule, ScheduleDefinition, ScheduleRun } from '../../src/core/schedule-repository.js';
import { migrateDatabase, openStorage } from '../../src/platform/storage.js';
import { scheduleDefinition } from '../support/schedule-definition.js';
import type { TestDatabase } from '../support/test-databases.js';
import { makeScheduleDue } from '../support/database-clock.js';
import { waitFor } from '../support/wait-for.js';
import { databaseConfig, type DatabaseConfig } from '../support/test-databases.js';

const MINUTE = 60_000;
const engine = createCronerEngine();

interface LogLine {
  level: string;
  msg: string;
}

/** The scheduler on a real database: missed fires, overlap, set-aside rows, the loop itself. */
export function describeSchedulerContract(driver: 'postgres' | 'sqlite', createDatabase: () => Promise<TestDatabase>): void {
  describe(`scheduler (${driver})`, () => {
    let database: TestDatabase;
    let config: DatabaseConfig;
    let storage: Storage;
    let seq = 0;
    const lines: LogLine[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });

    beforeAll(async () => {
      database = await createDatabase();
      config = databaseConfig(driver, database.dsn);
      await migrateDatabase(config);
      storage = openStorage(config);
    });
    afterAll(async () => {
      await storage.jobs.close();
      await database.drop();
    });

    const definition = (extra: Partial<ScheduleDefinition> = {}): ScheduleDefinition => {
      seq++;
      return scheduleDefinition(`scheduler-${seq}-${Date.now()}`, `sched-${seq}`, extra);
    };
    /** A schedule placed as its timing says from `from` (the database's now when omitted). */
    const create = async (extra: Partial<ScheduleDefinition>, from?: (now: Date) => Date): Promise<Schedule> => {
      const wanted = definition(extra);
      const written = await storage.schedules.createSchedule(wanted, (now) =>
        nextRunFrom(timingOf(engine, wanted, now), wanted, from === undefined ? now : from(now)),
      );
      if (!written.ok) throw new Error(written.reason);
      return written.schedule;
    };
    /** Every minute from five seconds ago: its first occurrence is due now. */
    const dueEveryMinute = (extra: Partial<ScheduleDefinition> = {}) => {
      const startAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 5_000);
      return create({ cron: null, intervalSeconds: 60, startAt, ...extra }, () => startAt);
    };
    const fire = (options: { batchSize?: number } = {}) =>
      new Scheduler({ schedules: storage.schedules, engine, defaultMaxAttempts: 2, pollIntervalMs: 50, logger, ...options }).fireDue();
    const runsOf = async (schedule: Schedule): Promise<ScheduleRun[]> => (await storage.schedules.listScheduleRuns(schedule.id, { limit: 100 })).runs.reverse();
    const jobsOf = async (schedule: Schedule) =>
      (await storage.jobs.listJobs({ filter: { pipeline: 'system.noop', scopeKey: schedule.scopeKey }, limit: 100 })).jobs;
    /** Cancels a schedule's pending jobs, so later tests' workers never see them. */
    const settle = async (schedule: Schedule) => {
      for (const job of await jobsOf(schedule)) await storage.jobs.cancelJob(job.id);
      await storage.schedules.deleteSchedule(schedule.id);
    };

    describe('ten minutes down with an every-minute schedule', () => {
      // The ten occurrences of the outage, all late by more than the grace: the last one 30 s or more ago.
      const outage = (extra: Partial<ScheduleDefinition>) =>
        create(
          { ...extra, startAt: new Date(Math.floor((Date.now() - 11 * MINUTE) / MINUTE) * MINUTE), endAt: new Date(Math.floor((Date.now() - 11 * MINUTE) / MINUTE) * MINUTE + 9.5 * MINUTE) },
          () => new Date(0),
        );

      it.each([
        ['skip', 10, 0, 10],
        ['latest', 10, 1, 9],
        ['all', 10, 10, 0],
        ['all', 4, 4, 6],
      ] as const)('missed_policy %s (max_catchup %i) fires %i and records %i skipped', async (missedPolicy, maxCatchup, fired, skipped) => {
        const schedule = await outage({ missedPolicy, maxCatchup });
        await fire();
        const runs = await runsOf(schedule);
        const jobs = await jobsOf(schedule);
        expect(jobs).toHaveLength(fired);
        expect(runs.filter((r) => r.kind === 'fired')).toHaveLength(fired);
        const ranges = runs.filter((r) => r.kind === 'skipped_missed');
        expect(ranges.reduce((sum, r) => sum + r.skippedCount, 0)).toBe(skipped);
        // Every one of the ten is accounted for, once.
        expect(fired + skipped).toBe(10);
        // Fired ones are the latest occurrences; a skipped range starts at the first.
        if (fired > 0) expect(runs.filter((r) => r.kind === 'fired').at(-1)?.occurrenceAt).toEqual(new Date(schedule.startAt!.getTime() + 9 * MINUTE));
        if (skipped > 0) expect(ranges[0]?.occurrenceAt).toEqual(schedule.startAt);
        expect(await storage.schedules.getSchedule(schedule.id)).toMatchObject({ nextRunAt: null, fireAt: null });
        await settle(schedule);
      });
    });

    it.each([
      ['Europe/Stockholm', '30 2 * * *', '2026-03-28T00:00:00Z', ['2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']],
      ['Europe/Stockholm', '30 2 * * *', '2026-10-24T00:00:00Z', ['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']],
      ['America/New_York', '30 2 * * *', '2026-03-07T00:00:00Z', ['2026-03-07T07:30:00.000Z', '2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z']],
      ['Australia/Sydney', '30 2 * * *', '2026-10-03T00:00:00Z', ['2026-10-03T16:00:00.000Z', '2026-10-04T15:30:00.000Z', '2026-10-05T15:30:00.000Z']],
    ] as const)('stores and fires a %s "%s" schedule across a DST change once a day (from %s)', async (timeZone, cron, from, expected) => {
      // Three days around the change, all past on the database's clock: one pass fires them as catch-up.
      const startAt = new Date(from);
      const schedule = await create(
        { timeZone, cron, startAt, endAt: new Date(startAt.getTime() + 3 * 86_400_000), missedPolicy: 'all', maxCatchup: 10 },
        () => startAt,
      );
      await fire();
      const runs = await runsOf(schedule);
      expect(runs.map((r) => [r.kind, r.occurrenceAt.toISOString()])).toEqual(expected.map((at) => ['fired', at]));
      expect(await jobsOf(schedule)).toHaveLength(3);
      await settle(schedule);
    });

    it('overlap skip and buffer_one judge each occurrence against the job of the one before', async () => {
      const skip = await dueEveryMinute({ overlapPolicy: 'skip' });
      const buffer = await dueEveryMinute({ overlapPolicy: 'buffer_one' });
      await fire();
      expect(await jobsOf(skip)).toHaveLength(1);
      expect(await jobsOf(buffer)).toHaveLength(1);

      // The next occurrence comes while the first job is still pending.
      const again = (schedule: Schedule) => makeScheduleDue(driver, database.dsn, schedule.id);
      await again(skip);
      await again(buffer);
      await fire();
      expect((await runsOf(skip)).map((r) => [r.kind, r.reason])).toEqual([
        ['fired', null],
        ['skipped_overlap', 'PREVIOUS_RUN_PENDING'],
      ]);
      expect(await jobsOf(buffer)).toHaveLength(1);
      const held = await storage.schedules.getSchedule(buffer.id);
      expect(held?.bufferedAt).toBeInstanceOf(Date);

      // A third occurrence while one is held is skipped; the held one fires once the first job ends.
      await again(buffer);
      await fire();
      expect((await runsOf(buffer)).map((r) => [r.kind, r.reason])).toEqual([
        ['fired', null],
        ['skipped_overlap', 'BUFFER_FULL'],
      ]);
      const [first] = await jobsOf(buffer);
      await storage.jobs.cancelJob(first!.id);
      await fire();
      const runs = await runsOf(buffer);
      expect(runs.map((r) => r.kind)).toEqual(['fired', 'skipped_overlap', 'fired']);
      expect(runs[2]?.occurrenceAt).toEqual(held?.bufferedAt);
      expect(await storage.schedules.getSchedule(buffer.id)).toMatchObject({ bufferedAt: null });
      await settle(skip);
      await settle(buffer);
    });

    it('a held occurrence waiting on an unfinished job neither keeps a pass going nor holds back due schedules', async () => {
      const buffer = await dueEveryMinute({ overlapPolicy: 'buffer_one' });
      await fire();
      await makeScheduleDue(driver, database.dsn, buffer.id);
      await fire();
      expect((await storage.schedules.getSchedule(buffer.id))?.bufferedAt).toBeInstanceOf(Date);

      // One schedule per pass: the held one, whose job is still pending, must not be picked pass after pass.
      const other = await dueEveryMinute();
      let passes = 0;
      const counted = new Scheduler({
        schedules: Object.assign(Object.create(storage.schedules) as typeof storage.schedules, {
          fireDueSchedules: (request: Parameters<typeof storage.schedules.fireDueSchedules>[0]) => {
            passes += 1;
            if (passes > 10) return Promise.reject(new Error('the scheduler kept passing over the same schedules'));
            return storage.schedules.fireDueSchedules(request);
          },
        }),
        engine,
        defaultMaxAttempts: 2,
        pollIntervalMs: 50,
        logger,
        batchSize: 1,
      });
      await counted.fireDue();
      expect(await jobsOf(other)).toHaveLength(1);
      expect(await jobsOf(buffer)).toHaveLength(1);
      await settle(other);
      await settle(buffer);
    });

    it('a replacement that keeps the timing keeps the held occurrence, which fires once the job before it ends', async () => {
      const buffer = await dueEveryMinute({ overlapPolicy: 'buffer_one' });
      await fire();
      await makeScheduleDue(driver, database.dsn, buffer.id);
      await fire();
      const held = (await storage.schedules.getSchedule(buffer.id))?.bufferedAt;
      expect(held).toBeInstanceOf(Date);

      const service = new ScheduleService(storage.schedules, new HandlerRegistry([systemNoopHandler]), engine);
      const replaced = await service.replace(buffer.id, {
        name: buffer.name,
        pipeline: buffer.pipeline,
        scope: buffer.scope,
        interval_seconds: 60,
        start_at: buffer.startAt!.toISOString(),
        overlap_policy: 'buffer_one',
        priority: 3,
      });
      expect(replaced).toMatchObject({ ok: true, schedule: { priority: 3, bufferedAt: held } });

      const [first] = await jobsOf(buffer);
      await storage.jobs.cancelJob(first!.id);
      await fire();
      const runs = await runsOf(buffer);
      expect(runs.map((r) => r.kind)).toEqual(['fired', 'fired']);
      expect(runs[1]?.occurrenceAt).toEqual(held);
      await settle(buffer);
    });

    it('sets aside a schedule whose stored timing cannot be read, with one warning, and keeps firing the others', async () => {
      const broken = await dueEveryMinute();
      // As an older version, or a hand edit, could have left it.
      await storage.schedules.updateSchedule(broken.id, (current, now) => ({
        definition: { ...current, cron: '61 * * * *', intervalSeconds: null },
        next: { nextRunAt: new Date(now.getTime() - 1_000), fireAt: new Date(now.getTime() - 1_000) },
      }));
      const healthy = await dueEveryMinute();
      lines.length = 0;
      const shared = new Scheduler({ schedules: storage.schedules, engine, defaultMaxAttempts: 2, pollIntervalMs: 50, logger });
      await shared.fireDue();
      await shared.fireDue();
      expect(lines.filter((l) => l.msg.startsWith('schedule set aside'))).toHaveLength(1);
      expect(await jobsOf(healthy)).toHaveLength(1);
      expect(await jobsOf(broken)).toHaveLength(0);
      expect(await storage.schedules.getSchedule(broken.id)).toMatchObject({ fireAt: null });
      await settle(healthy);
      await settle(broken);
    });

    it('a set-aside schedule holding an occurrence is picked by one pass, not by every pass after it', async () => {
      const buffer = await dueEveryMinute({ overlapPolicy: 'buffer_one' });
      await fire();
      await makeScheduleDue(driver, database.dsn, buffer.id);
      await fire();
      const [first] = await jobsOf(buffer);
      await storage.jobs.cancelJob(first!.id);
      // Its timing unreadable (as an older version could have left it) while it holds an occurrence.
      await storage.schedules.updateSchedule(buffer.id, (current) => ({
        definition: { ...current, cron: '61 * * * *', intervalSeconds: null },
        next: { nextRunAt: current.nextRunAt, fireAt: current.fireAt },
        keepHeld: true,
      }));
      expect((await storage.schedules.getSchedule(buffer.id))?.bufferedAt).toBeInstanceOf(Date);

      let passes = 0;
      const counted = new Scheduler({
        schedules: Object.assign(Object.create(storage.schedules) as typeof storage.schedules, {
          fireDueSchedules: (request: Parameters<typeof storage.schedules.fireDueSchedules>[0]) => {
            passes += 1;
            if (passes > 10) return Promise.reject(new Error('the scheduler kept passing over the same schedules'));
            return storage.schedules.fireDueSchedules(request);
          },
        }),
        engine,
        defaultMaxAttempts: 2,
        pollIntervalMs: 50,
        logger,
        batchSize: 1,
      });
      await counted.fireDue();
      expect(await storage.schedules.getSchedule(buffer.id)).toMatchObject({ fireAt: null, bufferedAt: null });
      await settle(buffer);
    });

    it('runs by itself: an every-second schedule makes one job per second, each occurrence once', async () => {
      const schedule = await create({ cron: null, intervalSeconds: 1 });
      const running = new Scheduler({ schedules: storage.schedules, engine, defaultMaxAttempts: 2, pollIntervalMs: 100, logger });
      running.start();
      try {
        await waitFor('three occurrences', async () => ((await runsOf(schedule)).length >= 3 ? true : undefined), 30_000);
      } finally {
        await running.stop();
      }
      const runs = await runsOf(schedule);
      const occurrences = runs.map((r) => r.occurrenceAt.getTime());
      expect(new Set(occurrences).size).toBe(occurrences.length);
      for (const [index, at] of occurrences.entries()) {
        if (index > 0) expect(at - occurrences[index - 1]!).toBe(1_000);
      }
      const jobs = await jobsOf(schedule);
      expect(jobs.length).toBe(runs.filter((r) => r.kind === 'fired').length);
      expect(new Set(jobs.map((j) => j.correlationId)).size).toBe(jobs.length);
      await settle(schedule);
    });
  });
}
