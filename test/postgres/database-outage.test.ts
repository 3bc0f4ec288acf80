import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HandlerRegistry } from '../../src/application/handler-registry.js';
import { Worker } from '../../src/application/worker.js';
import type { JobRepository } from '../../src/core/job-repository.js';
import { migrateDatabase, openJobRepository } from '../../src/platform/storage.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { createPostgresDatabase, databaseConfig, type TestDatabase } from '../support/test-databases.js';
import { testHandler } from '../support/test-handler.js';
import { sleep, waitFor } from '../support/wait-for.js';

/** The scenario on a real connection: PostgreSQL goes away under running jobs and comes back. */
describe('a worker through a PostgreSQL outage shorter than its lease', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let direct: JobRepository;
  let viaProxy: JobRepository;
  let worker: Worker | undefined;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    await migrateDatabase(databaseConfig('postgres', database.dsn));
    proxy = await TcpProxy.inFrontOf(database.dsn);
    direct = openJobRepository(databaseConfig('postgres', database.dsn));
    viaProxy = openJobRepository(databaseConfig('postgres', proxy.rewrite(database.dsn)), { onBackgroundError: () => undefined });
  });

  afterAll(async () => {
    await worker?.stop(1_000);
    await viaProxy.close();
    await direct.close();
    await proxy.close();
    await database.drop();
  });

  it('settles every job that finished during the outage on its one attempt, spending nothing else', async () => {
    const pipeline = `outage.${Date.now()}`;
    let running = 0;
    let databaseGone = false;
    const handler = testHandler(pipeline, async () => {
      running++;
      // Each job finishes while the database is unreachable, so its settle meets the outage.
      await waitFor('the outage', () => databaseGone, 30_000);
      return { counters: { done: true } };
    });
    const enqueued = await direct.enqueueJobs(Array.from({ length: 4 }, (_, n) => ({ pipeline, scope: { n }, maxAttempts: 1 })));
    worker = new Worker({
      repository: viaProxy,
      handlers: new HandlerRegistry([handler]),
      workerId: 'outage-worker',
      concurrency: 4,
      leaseMs: 15_000,
      heartbeatIntervalMs: 1_000,
      pollIntervalMs: 200,
      retryPolicy: { baseDelayMs: 50, maxDelayMs: 1_000 },
      logger: pino({ level: 'silent' }),
    });
    await worker.start();
    await waitFor('every job to run', () => running === 4, 30_000);

    await proxy.cut();
    databaseGone = true;
    await sleep(3_000);
    await proxy.restore();

    for (const { job } of enqueued) {
      const details = await waitFor(`job ${job.id} to finish`, async () => {
        const found = await direct.getJob(job.id);
        return found !== null && ['succeeded', 'exhausted', 'failed'].includes(found.job.state) ? found : undefined;
      }, 40_000);
      expect(details.job).toMatchObject({ state: 'succeeded', attemptCount: 1, spentAttempts: 1, interruptions: 0 });
      expect(details.attempts.map((a) => a.outcome)).toEqual(['succeeded']);
    }
  });
});
