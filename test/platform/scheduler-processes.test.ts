import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HandlerRegistry } from '../../src/application/handler-registry.js';
import { ScheduleService } from '../../src/application/scheduler/schedule-service.js';
import { createCronerEngine } from '../../src/adapters/schedule/croner-engine.js';
import type { Storage } from '../../src/adapters/storage/shared/storage.js';
import { loadConfig } from '../../src/platform/config.js';
import { createFetcher } from '../../src/platform/fetcher.js';
import { createHandlers } from '../../src/platform/handlers.js';
import { migrateDatabase, openStorage } from '../../src/platform/storage.js';
import { databaseConfig } from '../support/test-databases.js';
import { startApp, type AppProcess } from '../support/app-process.js';
import { createPostgresDatabase, type TestDatabase } from '../support/test-databases.js';
import { waitFor } from '../support/wait-for.js';

const SKEWED_CLOCK = fileURLToPath(new URL('../support/skewed-clock.mjs', import.meta.url));

/**
 * Several worker processes on one PostgreSQL, their clocks wrong by seconds in both directions, an
 * every-second schedule: each occurrence is one job, and none is missing.
 */
describe('the scheduler across worker processes', () => {
  let database: TestDatabase;
  let storage: Storage;
  const workers: AppProcess[] = [];

  beforeAll(async () => {
    database = await createPostgresDatabase();
    await migrateDatabase(databaseConfig('postgres', database.dsn));
    storage = openStorage(databaseConfig('postgres', database.dsn));
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop(5_000)));
    await storage.jobs.close();
    await database.drop();
  });

  it('fires each occurrence of an every-second schedule exactly once, with no gap, whatever the workers\' clocks say', async () => {
    const handlers = new HandlerRegistry(createHandlers({ fetcher: createFetcher(loadConfig({})), store: storage.ingestion }));
    const service = new ScheduleService(storage.schedules, handlers, createCronerEngine());
    const created = await service.create({
      name: 'every-second',
      pipeline: 'system.noop',
      scope: { label: 'multi-process' },
      params: { sleep_ms: 0 },
      interval_seconds: 1,
      // Under load a pass may come late; every late occurrence still fires, so none may be missing.
      missed_policy: 'all',
      max_catchup: 1000,
    });
    if (!created.ok) throw new Error(`create failed: ${created.reason}`);
    const schedule = created.schedule;

    for (const skewMs of [-7_000, 0, 4_000] as const) {
      workers.push(
        startApp('apps/worker/main.ts', {
          NODE_OPTIONS: `--import=${SKEWED_CLOCK}`,
          CLOCK_SKEW_MS: String(skewMs),
          DATABASE_DRIVER: 'postgres',
          DATABASE_DSN: database.dsn,
          SCHEDULER_POLL_INTERVAL_SEC: '0.05',
          WORKER_POLL_INTERVAL_SEC: '0.2',
          WORKER_SHUTDOWN_TIMEOUT_SEC: '2',
          LOG_LEVEL: 'info',
        }),
      );
    }
    // Each process's clock is off as asked: its log times say so.
    const offsets = await Promise.all(
      workers.map(async (w) => {
        const line = await w.waitForLog(/"msg":"scheduler started"/);
        return Date.parse((JSON.parse(line) as { time: string }).time) - Date.now();
      }),
    );
    // A line is read a little after it is written, never before.
    const skews = [-7_000, 0, 4_000];
    expect(offsets.map((offset, i) => offset <= skews[i]! + 500 && offset > skews[i]! - 3_000)).toEqual([true, true, true]);
    await waitFor(
      'eight occurrences',
      async () => ((await storage.schedules.listScheduleRuns(schedule.id, { limit: 200 })).runs.length >= 8 ? true : undefined),
      60_000,
    );
    await Promise.all(workers.map((w) => w.stop(10_000)));

    const runs = (await storage.schedules.listScheduleRuns(schedule.id, { limit: 500 })).runs.reverse();
    expect(runs.every((r) => r.kind === 'fired' && r.jobId !== null)).toBe(true);
    const seconds = runs.map((r) => r.occurrenceAt.getTime() / 1000);
    expect(seconds.every((s, i) => i === 0 || s === seconds[i - 1]! + 1)).toBe(true);
    const jobs = (await storage.jobs.listJobs({ filter: { pipeline: 'system.noop' }, limit: 500 })).jobs.filter((j) => j.scheduleId === schedule.id);
    expect(jobs).toHaveLength(runs.length);
    expect(new Set(jobs.map((j) => j.correlationId)).size).toBe(runs.length);
  });
});
