import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HandlerRegistry } from '../../src/application/handler-registry.js';
import { ScheduleService } from '../../src/application/scheduler/schedule-service.js';
import { createCronerEngine } from '../../src/adapters/schedule/croner-engine.js';
import { ConfigError } from '../../src/platform/config.js';
import { createHandlers } from '../../src/platform/handlers.js';
import { applySchedules, readSchedulesFile } from '../../src/platform/schedules-file.js';
import { migrateDatabase, openStorage } from '../../src/platform/storage.js';
import { createFetcher } from '../../src/platform/fetcher.js';
import { loadConfig } from '../../src/platform/config.js';
import { startApp } from '../support/app-process.js';
import { sqliteDriverUnderTest } from '../support/test-databases.js';
import { waitFor } from '../support/wait-for.js';

const dir = mkdtempSync(join(tmpdir(), 'schedules-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const database = (name: string) => ({ driver: 'sqlite' as const, path: join(dir, name), runMigrations: true, sqliteDriver: sqliteDriverUnderTest() });

const EVERY_SECOND = `pipelines:
  system.noop: { max_running: 3 }
schedules:
  - name: heartbeat
    pipeline: system.noop
    scope: { label: from-file }
    params: { sleep_ms: 0 }
    interval_seconds: 1
`;

describe('SCHEDULES_FILE', () => {
  it('a worker applies it at start and fires it; a later start without the schedule deletes it and keeps its runs', async () => {
    const dbFile = join(dir, 'worker.db');
    const file = join(dir, 'schedules.yaml');
    writeFileSync(file, EVERY_SECOND);
    const env = {
      DATABASE_DRIVER: 'sqlite',
      DATABASE_DSN: dbFile,
      DATABASE_RUN_MIGRATIONS: 'true',
      DATABASE_SQLITE_DRIVER: sqliteDriverUnderTest(),
      SCHEDULES_FILE: file,
      SCHEDULER_POLL_INTERVAL_SEC: '0.1',
      WORKER_POLL_INTERVAL_SEC: '0.1',
      WORKER_SHUTDOWN_TIMEOUT_SEC: '2',
      LOG_LEVEL: 'info',
    };
    const first = startApp('apps/worker/main.ts', env);
    const applied = JSON.parse(await first.waitForLog(/"msg":"schedules file applied"/)) as Record<string, unknown>;
    expect(applied).toMatchObject({ created: ['heartbeat'], updated: [], unchanged: [], removed: [], limits: ['system.noop'] });
    const storage = openStorage({ driver: 'sqlite', path: dbFile, runMigrations: false, sqliteDriver: sqliteDriverUnderTest() });
    try {
      const schedule = (await storage.schedules.getScheduleByName('heartbeat'))!;
      expect((await storage.jobs.getPipelineLimit('system.noop'))?.maxRunning).toBe(3);
      const succeeded = await waitFor('two scheduled jobs to succeed', async () => {
        const page = await storage.jobs.listJobs({ filter: { pipeline: 'system.noop', states: ['succeeded'] }, limit: 50 });
        const ours = page.jobs.filter((j) => j.scheduleId === schedule.id);
        return ours.length >= 2 ? ours : undefined;
      });
      expect(new Set(succeeded.map((j) => j.correlationId)).size).toBe(succeeded.length);
      expect((await first.stop()).code).toBe(0);

      // Started again with the same file: nothing changes, so no occurrence is placed anew.
      const before = await storage.schedules.getSchedule(schedule.id);
      const again = startApp('apps/worker/main.ts', { ...env, SCHEDULER_ENABLED: 'false' });
      expect(JSON.parse(await again.waitForLog(/"msg":"schedules file applied"/))).toMatchObject({ created: [], unchanged: ['heartbeat'] });
      await again.waitForLog(/"msg":"worker started"/);
      expect((await again.stop()).code).toBe(0);
      expect((await storage.schedules.getSchedule(schedule.id))?.nextRunAt).toEqual(before?.nextRunAt);

      writeFileSync(file, 'schedules: []\n');
      const last = startApp('apps/worker/main.ts', env);
      expect(JSON.parse(await last.waitForLog(/"msg":"schedules file applied"/))).toMatchObject({ removed: ['heartbeat'] });
      await last.waitForLog(/"msg":"worker started"/);
      expect((await last.stop()).code).toBe(0);
      expect(await storage.schedules.getScheduleByName('heartbeat')).toBeNull();
      expect((await storage.schedules.listScheduleRuns(schedule.id, { limit: 100 })).runs.length).toBeGreaterThanOrEqual(2);
    } finally {
      await storage.jobs.close();
    }
  });

  it('stops the start with status 78, naming every wrong field', async () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(
      file,
      `schedules:
  - name: a
    pipeline: system.noop
    scope: { label: x }
    cron: "61 * * * *"
  - name: c
    pipeline: system.noop
    scope: { label: y }
    interval_seconds: 60
    time_zone: Mars/Olympus_Mons
  - name: b
    pipeline: no.such.pipeline
    scope: {}
    interval_seconds: 60
pipelines:
  no.such.pipeline: { max_running: 1 }
`,
    );
    const run = await startApp('apps/worker/main.ts', {
      DATABASE_DRIVER: 'sqlite',
      DATABASE_DSN: join(dir, 'broken.db'),
      DATABASE_RUN_MIGRATIONS: 'true',
      DATABASE_SQLITE_DRIVER: sqliteDriverUnderTest(),
      SCHEDULES_FILE: file,
      LOG_LEVEL: 'info',
    }).exited;
    expect(run.code).toBe(78);
    const output = run.stdout + run.stderr;
    expect(output).toContain('schedules.0.cron');
    expect(output).toContain('schedules.1.time_zone');
    expect(output).toContain('schedules.2.pipeline');
    expect(output).toContain('pipelines.no.such.pipeline: unknown pipeline');
    expect(output).not.toContain('worker started');
  });

  it('refuses webhook.deliver in a worker as the other processes do', async () => {
    const file = join(dir, 'webhook-schedule.yaml');
    // The second entry is wrong in any process, so the start stops either way and the output says why.
    writeFileSync(
      file,
      `schedules:
  - name: deliver
    pipeline: webhook.deliver
    scope: { endpoint_id: e, event_id: v }
    params: { delivery_id: d }
    interval_seconds: 60
  - name: bad
    pipeline: system.noop
    scope: { label: x }
    cron: "61 * * * *"
`,
    );
    const run = await startApp('apps/worker/main.ts', {
      DATABASE_DRIVER: 'sqlite',
      DATABASE_DSN: join(dir, 'webhook-schedule.db'),
      DATABASE_RUN_MIGRATIONS: 'true',
      DATABASE_SQLITE_DRIVER: sqliteDriverUnderTest(),
      SCHEDULES_FILE: file,
      LOG_LEVEL: 'info',
    }).exited;
    expect(run.code).toBe(78);
    expect(run.stdout + run.stderr).toContain('schedules.0.pipeline');
    expect(run.stdout + run.stderr).not.toContain('worker started');
  });

  it('leaves a schedule made through the API alone, and moves the next run only when the timing changes', async () => {
    const config = database('apply.db');
    await migrateDatabase(config);
    const storage = openStorage(config);
    const handlers = new HandlerRegistry(createHandlers({ fetcher: createFetcher(loadConfig({})), store: storage.ingestion }));
    const service = new ScheduleService(storage.schedules, handlers, createCronerEngine());
    try {
      const viaApi = await service.create({ name: 'shared-name', pipeline: 'system.noop', scope: { label: 'api' }, cron: '0 * * * *' }, 'api');
      expect(viaApi.ok).toBe(true);
      const file = join(dir, 'apply.json');
      const declare = (priority: number, cron: string) =>
        writeFileSync(
          file,
          JSON.stringify({
            schedules: [
              { name: 'shared-name', pipeline: 'system.noop', scope: { label: 'file' }, cron: '5 * * * *' },
              { name: 'hourly', pipeline: 'system.noop', scope: { label: 'file' }, cron, priority },
            ],
          }),
        );
      declare(1, '0 * * * *');
      const first = await applySchedules((await readSchedulesFile(file, service, handlers.pipelines())).schedules, service, storage.schedules);
      expect(first).toEqual({ created: ['hourly'], updated: [], unchanged: [], removed: [], leftAlone: ['shared-name'] });
      const placed = await storage.schedules.getScheduleByName('hourly');

      declare(7, '0 * * * *');
      expect(await applySchedules((await readSchedulesFile(file, service, handlers.pipelines())).schedules, service, storage.schedules)).toMatchObject({ updated: ['hourly'] });
      const reprioritised = await storage.schedules.getScheduleByName('hourly');
      expect(reprioritised).toMatchObject({ priority: 7, nextRunAt: placed?.nextRunAt });

      declare(7, '30 * * * *');
      await applySchedules((await readSchedulesFile(file, service, handlers.pipelines())).schedules, service, storage.schedules);
      const retimed = await storage.schedules.getScheduleByName('hourly');
      expect(retimed?.nextRunAt?.getUTCMinutes()).toBe(30);
      expect((await storage.schedules.getScheduleByName('shared-name'))?.scope).toEqual({ label: 'api' });
    } finally {
      await storage.jobs.close();
    }
  });

  it('refuses a file that is not JSON, or names a schedule twice', async () => {
    const config = database('refuse.db');
    await migrateDatabase(config);
    const storage = openStorage(config);
    const handlers = new HandlerRegistry(createHandlers({ fetcher: createFetcher(loadConfig({})), store: storage.ingestion }));
    const service = new ScheduleService(storage.schedules, handlers, createCronerEngine());
    try {
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, '{ "schedules": [ ');
      await expect(readSchedulesFile(bad, service, handlers.pipelines())).rejects.toThrow(/is not valid JSON/);
      const twice = join(dir, 'twice.json');
      const one = { name: 'same', pipeline: 'system.noop', scope: { label: 'x' }, interval_seconds: 60 };
      writeFileSync(twice, JSON.stringify({ schedules: [one, one] }));
      const error = await readSchedulesFile(twice, service, handlers.pipelines()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([expect.stringContaining('schedules.1.name: "same" is declared twice') as unknown]);
    } finally {
      await storage.jobs.close();
    }
  });
});
