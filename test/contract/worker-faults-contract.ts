import { sql } from 'drizzle-orm';
import pg from 'pg';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HandlerRegistry } from '../../src/application/handler-registry.js';
import type { JobHandler } from '../../src/application/job-handler.js';
import { Worker, type WorkerOptions } from '../../src/application/worker.js';
import { JobError } from '../../src/core/job-error.js';
import type { JobRepository } from '../../src/core/job-repository.js';
import { CANCEL_REQUESTED_CHANNEL } from '../../src/adapters/storage/postgres/notification-listener.js';
import { SqliteDatabase } from '../../src/adapters/storage/sqlite/sqlite-database.js';
import { migrateDatabase, openJobRepository } from '../../src/platform/storage.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { sqliteDriverUnderTest, type TestDatabase } from '../support/test-databases.js';
import { testHandler } from '../support/test-handler.js';
import { waitFor } from '../support/wait-for.js';
import { databaseConfig, type DatabaseConfig } from './job-repository-contract.js';

const silent = pino({ level: 'silent' });

/** Which of a repository's calls fail, as they would while its database is unreachable. */
export interface Outage {
  failing: Set<keyof JobRepository>;
}

/**
 * A real repository whose named methods throw a connection error while they are in `outage.failing`:
 * the database a worker talks to goes away for some calls and comes back, nothing else is faked.
 */
export function withOutage(repository: JobRepository, outage: Outage): JobRepository {
  return new Proxy(repository, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      return (...args: unknown[]) => {
        if (outage.failing.has(property as keyof JobRepository)) {
          return Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
        }
        return method.apply(target, args);
      };
    },
  });
}

/** The worker runtime when the database fails under it, on a real database of each kind. */
export function describeWorkerFaultContract(driver: 'postgres' | 'sqlite', createDatabase: () => Promise<TestDatabase>): void {
  describe(`Worker under database faults (${driver})`, () => {
    let database: TestDatabase;
    let config: DatabaseConfig;
    const opened: JobRepository[] = [];
    const workers: Worker[] = [];
    let repo: JobRepository;
    let seq = 0;

    const openRepository = () => {
      const repository = openJobRepository(config);
      opened.push(repository);
      return repository;
    };
    const pipelineName = () => `faults.p${++seq}.${Date.now()}`;
    const startWorker = async (handlers: JobHandler[], options: Partial<WorkerOptions> = {}) => {
      const worker = new Worker({
        repository: options.repository ?? openRepository(),
        handlers: new HandlerRegistry(handlers),
        workerId: `fault-worker-${workers.length + 1}`,
        concurrency: 2,
        leaseMs: 5_000,
        heartbeatIntervalMs: 1_000,
        pollIntervalMs: 200,
        retryPolicy: { baseDelayMs: 50, maxDelayMs: 1_000 },
        logger: silent,
        ...options,
      });
      workers.push(worker);
      await worker.start();
      return worker;
    };

    beforeAll(async () => {
      database = await createDatabase();
      config = databaseConfig(driver, database.dsn);
      await migrateDatabase(config);
      repo = openRepository();
    });

    afterEach(async () => {
      await Promise.all(workers.splice(0).map((w) => w.stop(1_000)));
    });

    afterAll(async () => {
      await Promise.all(opened.map((r) => r.close()));
      await database.drop();
    });

    it('aborts a handler whose lease could not be renewed for longer than the lease, and another worker finishes the job', async () => {
      const pipeline = pipelineName();
      const outage: Outage = { failing: new Set() };
      const abortedWith: unknown[] = [];
      let stalledStarted = false;
      const stalling = testHandler(pipeline, ({ signal }) => {
        stalledStarted = true;
        // The database goes away for this worker once the job runs: no renewal, claim or settle gets through.
        for (const method of ['renewLeases', 'claimJobs', 'completeJob', 'completeJobs', 'failJob', 'releaseJob', 'cancelRunningJob'] as const) {
          outage.failing.add(method);
        }
        return new Promise((_, reject) => {
          signal.addEventListener('abort', () => {
            abortedWith.push(signal.reason);
            reject(signal.reason as Error);
          });
        });
      });
      const [enqueued] = await repo.enqueueJobs([{ pipeline, scope: {}, maxAttempts: 3 }]);
      const jobId = enqueued!.job.id;
      await startWorker([stalling], { repository: withOutage(openRepository(), outage), leaseMs: 1_000, heartbeatIntervalMs: 200 });
      await waitFor('the job to start', () => stalledStarted);

      // Renewals fail from now on; once a whole lease has passed without one, the handler must stop.
      const reason = await waitFor('the stalled handler to be aborted', () => abortedWith[0], 30_000);
      expect(reason).toBeInstanceOf(JobError);
      expect((reason as JobError).code).toBe('LEASE_LOST');

      // The job was not settled by the stalled worker: a healthy one takes it after the lease expires.
      await startWorker([testHandler(pipeline, () => Promise.resolve({ counters: { by: 'healthy' } }))]);
      const details = await waitFor('the job to succeed elsewhere', async () => {
        const found = await repo.getJob(jobId);
        return found?.job.state === 'succeeded' ? found : undefined;
      }, 30_000);
      expect(details.job.counters).toEqual({ by: 'healthy' });
      expect(details.attempts.map((a) => a.outcome)).toEqual(['lease_expired', 'succeeded']);
      expect(abortedWith).toHaveLength(1);
    });

    /** A handler that runs until its signal aborts, recording why. */
    const untilAborted = (pipeline: string) => {
      const run = { started: false, abortedWith: [] as unknown[] };
      const handler = testHandler(pipeline, ({ signal }) => {
        run.started = true;
        return new Promise((_, reject) => {
          signal.addEventListener('abort', () => {
            run.abortedWith.push(signal.reason);
            reject(signal.reason as Error);
          });
        });
      });
      return { run, handler };
    };

    const expectCancelledSoon = async (jobId: string, abortedWith: unknown[]) => {
      // The heartbeat is 10 s: only a direct signal can stop the handler this soon, even on a loaded machine.
      const reason = await waitFor('the handler to be aborted', () => abortedWith[0], 5_000);
      expect(reason).toBeInstanceOf(JobError);
      expect((reason as JobError).code).toBe('CANCEL_REQUESTED');
      const details = await waitFor('the job to end cancelled', async () => {
        const found = await repo.getJob(jobId);
        return found?.job.state === 'cancelled' ? found : undefined;
      }, 5_000);
      expect(details.attempts.map((a) => a.outcome)).toEqual(['cancelled']);
    };

    it('stops a running job within seconds of an operator cancelling it, not at the next heartbeat', async () => {
      const pipeline = pipelineName();
      const { run, handler } = untilAborted(pipeline);
      await startWorker([handler], { heartbeatIntervalMs: 10_000, leaseMs: 30_000 });
      const [enqueued] = await repo.enqueueJobs([{ pipeline, scope: {}, maxAttempts: 3 }]);
      const jobId = enqueued!.job.id;
      await waitFor('the job to start', () => run.started);

      // As the API does: through a repository of its own, not the worker's.
      const cancelled = await repo.cancelJob(jobId);
      expect(cancelled).toMatchObject({ ok: true, effect: 'cancel_requested' });
      await expectCancelledSoon(jobId, run.abortedWith);
    });

    it.runIf(driver === 'sqlite')('stops a running job soon after another process flags it for cancel', async () => {
      const pipeline = pipelineName();
      const { run, handler } = untilAborted(pipeline);
      await startWorker([handler], { heartbeatIntervalMs: 10_000, leaseMs: 30_000 });
      const [enqueued] = await repo.enqueueJobs([{ pipeline, scope: {}, maxAttempts: 3 }]);
      const jobId = enqueued!.job.id;
      await waitFor('the job to start', () => run.started);

      // A bare connection to the file, as another process has: no in-process signal goes with the write.
      const other = new SqliteDatabase({ path: database.dsn, driver: sqliteDriverUnderTest() });
      try {
        await other.statement(sql`UPDATE ingestion_jobs SET cancel_requested = 1 WHERE id = ${Number(jobId)} AND state = 'running'`);
      } finally {
        await other.close();
      }
      await expectCancelledSoon(jobId, run.abortedWith);
    });

    it.runIf(driver === 'postgres')('a cancel signal without a cancel request renews the lease but aborts nothing', async () => {
      const pipeline = pipelineName();
      let release: (() => void) | undefined;
      const { run, handler } = untilAborted(pipeline);
      const finishing = testHandler(pipeline, (context) => {
        // Runs until the test lets it finish, or until aborted like untilAborted's handler.
        const aborted = handler.run(context);
        return Promise.race([aborted, new Promise<Record<string, never>>((resolve) => (release = () => resolve({})))]);
      });
      await startWorker([finishing], { heartbeatIntervalMs: 10_000, leaseMs: 30_000 });
      const [enqueued] = await repo.enqueueJobs([{ pipeline, scope: {}, maxAttempts: 3 }]);
      const jobId = enqueued!.job.id;
      await waitFor('the job to start', () => run.started && release !== undefined);
      const claimedUntil = (await repo.getJob(jobId))!.job.leaseUntil!.getTime();

      // A signal no cancel stands behind (a stale or forged one): the worker checks under its fence and carries on.
      const client = new pg.Client({ connectionString: database.dsn });
      await client.connect();
      try {
        await client.query('SELECT pg_notify($1, $2)', [CANCEL_REQUESTED_CHANNEL, jobId]);
      } finally {
        await client.end();
      }
      await waitFor('the signal to renew the lease before the heartbeat', async () => (await repo.getJob(jobId))!.job.leaseUntil!.getTime() > claimedUntil, 5_000);
      expect(run.abortedWith).toEqual([]);

      release!();
      await waitFor('the job to succeed', async () => (await repo.getJob(jobId))?.job.state === 'succeeded', 10_000);
      expect(run.abortedWith).toEqual([]);
    });

    it.runIf(driver === 'postgres')('a worker started while the database is down is woken by notifications once it is back', async () => {
      const pipeline = pipelineName();
      const target = new URL(database.dsn);
      const proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) }, { down: true });
      try {
        const claimFailures: string[] = [];
        const logger = pino({ level: 'error' }, { write: (line: string) => claimFailures.push(line) });
        let restored = 0;
        const behindProxy = openJobRepository(databaseConfig('postgres', proxy.rewrite(database.dsn)), {
          onNotificationsRestored: () => restored++,
        });
        opened.push(behindProxy);
        let started = false;
        // Polls only once a minute: a job that starts within seconds was started by a notification.
        await startWorker(
          [testHandler(pipeline, () => {
            started = true;
            return Promise.resolve({});
          })],
          { repository: behindProxy, pollIntervalMs: 60_000, logger },
        );
        await waitFor('a claim to fail while the database is away', () => claimFailures.some((line) => line.includes('claiming jobs failed')));

        await proxy.restore();
        // Straight to the database: migrations and the API do not go through the outage.
        const [enqueued] = await repo.enqueueJobs([{ pipeline, scope: {}, maxAttempts: 3 }]);
        await waitFor('the job to start long before the next poll', () => started, 10_000);
        await waitFor('the job to succeed', async () => (await repo.getJob(enqueued!.job.id))?.job.state === 'succeeded', 10_000);
        expect(restored).toBe(1);
      } finally {
        await Promise.all(workers.splice(0).map((w) => w.stop(1_000)));
        await proxy.close();
      }
    });
  });
}
