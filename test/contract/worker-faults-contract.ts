import { sql } from 'drizzle-orm';
import pg from 'pg';
import { once } from 'node:events';
import { Worker as Thread } from 'node:worker_threads';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { abortableSleep } from '../../src/application/abortable-sleep.js';
import { createSqliteStorage } from '../../src/adapters/storage/sqlite/create-sqlite-job-repository.js';
import { resolveSqliteDriver } from '../../src/adapters/storage/sqlite/sqlite-driver.js';
import type { IngestionStore } from '../../src/core/ingestion-store.js';
import { DatabaseUnavailableError } from '../../src/core/database-unavailable.js';
import { JobError } from '../../src/core/job-error.js';
import type { JobRepository } from '../../src/core/job-repository.js';
import { CANCEL_REQUESTED_CHANNEL } from '../../src/adapters/storage/postgres/notification-listener.js';
import { SqliteDatabase } from '../../src/adapters/storage/sqlite/sqlite-database.js';
import { leaseOf, type JobLease } from '../../src/core/job.js';
import { openStorage } from '../../src/platform/storage.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { databaseConfig, sqliteDriverUnderTest, type DatabaseConfig, type TestDatabase } from '../support/test-databases.js';
import { testHandler } from '../support/test-handler.js';
import { sleep, waitFor } from '../support/wait-for.js';
import { useWorkerTestBed } from '../support/worker-test-bed.js';

/** Which of a repository's calls fail, as they would while its database is unreachable. */
export interface Outage {
  failing: Set<keyof JobRepository>;
}

/**
 * A real repository whose named methods throw, as the adapters do when the database cannot be
 * reached, while they are in `outage.failing`:
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
          // What the storage adapters make of a refused connection.
          const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
          return Promise.reject(new DatabaseUnavailableError('DATABASE_UNREACHABLE', false, `the database is unreachable: ${refused.message}`, { cause: refused }));
        }
        return method.apply(target, args);
      };
    },
  });
}

/** An ingestion store whose database can be made to fail for real, and brought back. */
interface StoreOutage {
  store: IngestionStore;
  begin(): Promise<void>;
  end(): Promise<void>;
  close(): Promise<void>;
}

/**
 * PostgreSQL: the store connects through a TCP relay that is cut (connections refused). SQLite: another
 * connection holds the file's write lock, so the store's write times out busy.
 */
async function storeOutage(driver: 'postgres' | 'sqlite', config: DatabaseConfig): Promise<StoreOutage> {
  if (config.driver === 'postgres') {
    const proxy = await TcpProxy.inFrontOf(config.dsn);
    const storage = openStorage({ ...config, dsn: proxy.rewrite(config.dsn) });
    return {
      store: storage.ingestion,
      begin: () => proxy.cut(),
      end: () => proxy.restore(),
      close: async () => {
        await storage.jobs.close();
        await proxy.close();
      },
    };
  }
  if (config.driver !== driver) throw new Error('driver mismatch');
  const storage = createSqliteStorage({ path: config.path, driver: sqliteDriverUnderTest(), busyTimeoutMs: 20 });
  const path = config.path;
  let locker: Thread | undefined;
  return {
    store: storage.ingestion,
    begin: async () => {
      // Another thread is another connection outside this process's queue, as another process would be.
      // The same SQLite library as the store: two copies in one process do not see each other's locks.
      const lockWith = resolveSqliteDriver(sqliteDriverUnderTest());
      locker = new Thread(LOCKER_THREAD, { eval: true, workerData: { path, driver: lockWith } });
      await once(locker, 'message');
    },
    end: async () => {
      if (locker === undefined) return;
      locker.postMessage('release');
      await once(locker, 'message');
      await locker.terminate();
      locker = undefined;
    },
    close: async () => {
      await locker?.terminate();
      await storage.jobs.close();
    },
  };
}

/** Holds the SQLite file's write lock until told to let go. */
const LOCKER_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const db = workerData.driver === 'node:sqlite'
  ? new (require('node:sqlite').DatabaseSync)(workerData.path, { timeout: 5000 })
  : new (require('better-sqlite3'))(workerData.path, { timeout: 5000 });
db.exec('BEGIN IMMEDIATE');
parentPort.postMessage('locked');
parentPort.once('message', () => {
  db.exec('ROLLBACK');
  db.close();
  parentPort.postMessage('released');
});
`;

function snapshotOf(lease: JobLease, pipeline: string) {
  return {
    lease,
    pipeline,
    scopeKey: '{}',
    resourceType: 'page',
    resourceKey: 'p1',
    method: 'GET',
    url: 'https://example.test/p1',
    status: 200,
    notModified: false,
    truncated: false,
    etag: null,
    lastModified: null,
    contentType: 'text/html',
    body: new TextEncoder().encode('<html></html>'),
  };
}

/** The worker runtime when the database fails under it, on a real database of each kind. */
export function describeWorkerFaultContract(driver: 'postgres' | 'sqlite', createDatabase: () => Promise<TestDatabase>): void {
  describe(`Worker under database faults (${driver})`, () => {
    const bed = useWorkerTestBed(driver, createDatabase, { name: 'faults', workerDefaults: { concurrency: 2 } });
    const { openRepository, pipelineName, startWorker } = bed;

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
      const [enqueued] = await bed.repo.enqueueJobs([{ pipeline, scope: {}, maxAttempts: 3 }]);
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
        const found = await bed.repo.getJob(jobId);
        return found?.job.state === 'succeeded' ? found : undefined;
      }, 30_000);
      expect(details.job.counters).toEqual({ by: 'healthy' });
      expect(details.attempts.map((a) => a.outcome)).toEqual(['lease_expired', 'succeeded']);
      expect(abortedWith).toHaveLength(1);
    });

    it('keeps claiming after an error that will not heal when nobody would restart it (no give-up callback)', async () => {
      const pipeline = pipelineName();
      let refusals = 0;
      const repository = openRepository();
      // The first claims meet an error the adapters call permanent (a SQLite file that cannot be
      // opened, e.g. out of file descriptors); then the database answers again.
      const flaky = new Proxy(repository, {
        get(target, property, receiver) {
          const value: unknown = Reflect.get(target, property, receiver);
          if (typeof value !== 'function') return value;
          const method = value as (...args: unknown[]) => unknown;
          return (...args: unknown[]) => {
            if (property === 'claimJobs' && refusals < 2) {
              refusals++;
              return Promise.reject(new DatabaseUnavailableError('DATABASE_NOT_FOUND', true, 'the SQLite file cannot be opened'));
            }
            return method.apply(target, args);
          };
        },
      });
      const worker = await startWorker([testHandler(pipeline, () => Promise.resolve({ counters: { ran: true } }))], { repository: flaky });
      await waitFor('the permanent errors to be met', () => refusals === 2);
      const [enqueued] = await bed.repo.enqueueJobs([{ pipeline, scope: {}, maxAttempts: 1 }]);
      const details = await waitFor('the job to succeed', async () => {
        const found = await bed.repo.getJob(enqueued!.job.id);
        return found?.job.state === 'succeeded' ? found : undefined;
      }, 30_000);
      expect(details.job.counters).toEqual({ ran: true });
      expect(worker.health().databaseLost).toBe(false);
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
        const found = await bed.repo.getJob(jobId);
        return found?.job.state === 'cancelled' ? found : undefined;
      }, 5_000);
      expect(details.attempts.map((a) => a.outcome)).toEqual(['cancelled']);
    };

    it('stops a running job within seconds of an operator cancelling it, not at the next heartbeat', async () => {
      const pipeline = pipelineName();
      const { run, handler } = untilAborted(pipeline);
      await startWorker([handler], { heartbeatIntervalMs: 10_000, leaseMs: 30_000 });
      const [enqueued] = await bed.repo.enqueueJobs([{ pipeline, scope: {}, maxAttempts: 3 }]);
      const jobId = enqueued!.job.id;
      await waitFor('the job to start', () => run.started);

      // As the API does: through a repository of its own, not the worker's.
      const cancelled = await bed.repo.cancelJob(jobId);
      expect(cancelled).toMatchObject({ ok: true, effect: 'cancel_requested' });
      await expectCancelledSoon(jobId, run.abortedWith);
    });

    it.runIf(driver === 'sqlite')('stops a running job soon after another process flags it for cancel', async () => {
      const pipeline = pipelineName();
      const { run, handler } = untilAborted(pipeline);
      await startWorker([handler], { heartbeatIntervalMs: 10_000, leaseMs: 30_000 });
      const [enqueued] = await bed.repo.enqueueJobs([{ pipeline, scope: {}, maxAttempts: 3 }]);
      const jobId = enqueued!.job.id;
      await waitFor('the job to start', () => run.started);

      // A bare connection to the file, as another process has: no in-process signal goes with the write.
      const other = new SqliteDatabase({ path: bed.database.dsn, driver: sqliteDriverUnderTest() });
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
      const [enqueued] = await bed.repo.enqueueJobs([{ pipeline, scope: {}, maxAttempts: 3 }]);
      const jobId = enqueued!.job.id;
      await waitFor('the job to start', () => run.started && release !== undefined);
      const claimedUntil = (await bed.repo.getJob(jobId))!.job.leaseUntil!.getTime();

      // A signal no cancel stands behind (a stale or forged one): the worker checks under its fence and carries on.
      const client = new pg.Client({ connectionString: bed.database.dsn });
      await client.connect();
      try {
        await client.query('SELECT pg_notify($1, $2)', [CANCEL_REQUESTED_CHANNEL, jobId]);
      } finally {
        await client.end();
      }
      await waitFor('the signal to renew the lease before the heartbeat', async () => (await bed.repo.getJob(jobId))!.job.leaseUntil!.getTime() > claimedUntil, 5_000);
      expect(run.abortedWith).toEqual([]);

      release!();
      await waitFor('the job to succeed', async () => (await bed.repo.getJob(jobId))?.job.state === 'succeeded', 10_000);
      expect(run.abortedWith).toEqual([]);
    });

    it.runIf(driver === 'postgres')('a worker started while the database is down is woken by notifications once it is back', async () => {
      const pipeline = pipelineName();
      const proxy = await TcpProxy.inFrontOf(bed.database.dsn, { down: true });
      try {
        const claimFailures: string[] = [];
        const logger = pino({ level: 'error' }, { write: (line: string) => claimFailures.push(line) });
        let restored = 0;
        const behindProxy = openRepository(databaseConfig('postgres', proxy.rewrite(bed.database.dsn)), {
          onNotificationsRestored: () => restored++,
        });
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
        const [enqueued] = await bed.repo.enqueueJobs([{ pipeline, scope: {}, maxAttempts: 3 }]);
        await waitFor('the job to start long before the next poll', () => started, 10_000);
        await waitFor('the job to succeed', async () => (await bed.repo.getJob(enqueued!.job.id))?.job.state === 'succeeded', 10_000);
        expect(restored).toBe(1);
      } finally {
        await bed.stopWorkers();
        await proxy.close();
      }
    });

    it('retries a settle through a short outage for as long as the lease lasts: the job succeeds on its one attempt', async () => {
      const pipeline = pipelineName();
      const outage: Outage = { failing: new Set() };
      let outageOver: NodeJS.Timeout | undefined;
      const handler = testHandler(pipeline, () => {
        // The database goes away for settles just as the handler finishes, and comes back 2 s later.
        for (const method of ['completeJob', 'completeJobs', 'failJob'] as const) outage.failing.add(method);
        outageOver = setTimeout(() => outage.failing.clear(), 2_000);
        return Promise.resolve({ counters: { settled: 'after the outage' } });
      });
      const [enqueued] = await bed.repo.enqueueJobs([{ pipeline, scope: {}, maxAttempts: 1 }]);
      await startWorker([handler], { repository: withOutage(openRepository(), outage), leaseMs: 10_000, heartbeatIntervalMs: 1_000 });
      const details = await waitFor('the job to settle', async () => {
        const found = await bed.repo.getJob(enqueued!.job.id);
        return found !== null && ['succeeded', 'exhausted', 'failed'].includes(found.job.state) ? found : undefined;
      }, 40_000);
      clearTimeout(outageOver);
      expect(details.job).toMatchObject({ state: 'succeeded', attemptCount: 1, spentAttempts: 1, interruptions: 0, counters: { settled: 'after the outage' } });
      expect(details.attempts.map((a) => [a.attemptNumber, a.outcome])).toEqual([[1, 'succeeded']]);
    });

    it('retries a job whose own store call met a database outage as a `database` failure, without charging it', async () => {
      const pipeline = pipelineName();
      const fault = await storeOutage(driver, bed.config);
      let runs = 0;
      const handler = testHandler(pipeline, async ({ job }) => {
        runs++;
        if (runs === 1) {
          await fault.begin();
          try {
            await fault.store.saveSnapshot(snapshotOf(leaseOf(job), pipeline));
          } finally {
            await fault.end();
          }
        }
        return { counters: { runs } };
      });
      try {
        // One attempt only: a charged failure would exhaust the job. One slot and slow timers, so
        // nothing but the handler's own call meets the locked SQLite file (a busy slot claims nothing).
        const [enqueued] = await bed.repo.enqueueJobs([{ pipeline, scope: {}, maxAttempts: 1 }]);
        await startWorker([handler], { concurrency: 1, leaseMs: 60_000, heartbeatIntervalMs: 30_000 });
        const details = await waitFor('the job to finish', async () => {
          const found = await bed.repo.getJob(enqueued!.job.id);
          return found !== null && ['succeeded', 'exhausted', 'failed'].includes(found.job.state) ? found : undefined;
        }, 30_000);
        expect(details.attempts.map((a) => [a.attemptNumber, a.outcome, a.failure?.category ?? null, a.failure?.code ?? null])).toEqual([
          [1, 'failed', 'database', 'DATABASE_UNAVAILABLE'],
          [2, 'succeeded', null, null],
        ]);
        expect(details.attempts[0]?.failure?.retryable).toBe(true);
        expect(details.job).toMatchObject({ state: 'succeeded', spentAttempts: 1, interruptions: 1, counters: { runs: 2 } });
      } finally {
        await fault.close();
      }
    });
    it('a release lost to an outage at shutdown holds the exit only briefly and does not charge the job', async () => {
      const pipeline = pipelineName();
      const outage: Outage = { failing: new Set() };
      let started = false;
      const handler = testHandler(pipeline, async ({ signal }) => {
        started = true;
        await abortableSleep(120_000, signal);
        return undefined;
      });
      const [enqueued] = await bed.repo.enqueueJobs([{ pipeline, scope: {}, maxAttempts: 1 }]);
      const worker = await startWorker([handler], { repository: withOutage(openRepository(), outage), leaseMs: 20_000, heartbeatIntervalMs: 1_000 });
      await waitFor('the job to start', () => started);

      // The database goes away as the worker stops: the release cannot land.
      outage.failing.add('releaseJob');
      const stopped = await Promise.race([worker.stop(100).then(() => 'stopped' as const), sleep(15_000).then(() => 'still stopping' as const)]);
      expect(stopped).toBe('stopped');

      // Once the lease expires a healthy worker runs the job: the lost release cost an interruption, not its one attempt.
      await startWorker([testHandler(pipeline, () => Promise.resolve({ counters: { by: 'healthy' } }))]);
      const details = await waitFor('the job to finish elsewhere', async () => {
        const found = await bed.repo.getJob(enqueued!.job.id);
        return found !== null && ['succeeded', 'exhausted', 'failed'].includes(found.job.state) ? found : undefined;
      }, 60_000);
      expect(details.job).toMatchObject({ state: 'succeeded', spentAttempts: 1, interruptions: 1, counters: { by: 'healthy' } });
      expect(details.attempts.map((a) => a.outcome)).toEqual(['lease_expired', 'succeeded']);
    });
  });

  describe(`Worker run time bound (${driver})`, () => {
    const bed = useWorkerTestBed(driver, createDatabase, {
      name: 'bound',
      workerDefaults: { concurrency: 1, leaseMs: 10_000, pollIntervalMs: 100, retryPolicy: { baseDelayMs: 20, maxDelayMs: 100 } },
    });
    const { pipelineName, startWorker } = bed;
    const finished = (jobId: string) => bed.finished(jobId, { states: ['succeeded', 'exhausted', 'failed'], timeoutMs: 30_000 });

    it('aborts a handler that honours its signal once its pipeline\'s bound passes, charging a retryable timeout', async () => {
      const pipeline = pipelineName();
      const reasons: unknown[] = [];
      let runs = 0;
      const handler = {
        ...testHandler(pipeline, async ({ signal }) => {
          runs++;
          if (runs === 1) {
            try {
              await abortableSleep(120_000, signal);
            } catch (error) {
              reasons.push(error);
              throw error;
            }
          }
          return { counters: { runs } };
        }),
        timeoutMs: 300,
      };
      const [enqueued] = await bed.repo.enqueueJobs([{ pipeline, scope: {}, maxAttempts: 2 }]);
      await startWorker([handler]);
      const details = await finished(enqueued!.job.id);
      expect(reasons).toHaveLength(1);
      expect(reasons[0]).toBeInstanceOf(JobError);
      expect((reasons[0] as JobError).code).toBe('JOB_TIMEOUT');
      expect(details.attempts.map((a) => [a.outcome, a.failure?.category ?? null, a.failure?.code ?? null])).toEqual([
        ['failed', 'timeout', 'JOB_TIMEOUT'],
        ['succeeded', null, null],
      ]);
      expect(details.attempts[0]?.failure?.message).toContain('300 ms');
      // The slowness is the job's own: both attempts are charged.
      expect(details.job).toMatchObject({ state: 'succeeded', spentAttempts: 2, interruptions: 0 });
    });

    it('settles the timeout of a handler that ignores its signal at once, and frees its slot only when it returns', async () => {
      const pipeline = pipelineName();
      let letGo: () => void = () => undefined;
      let stuckReturned = false;
      const stuck = {
        ...testHandler(pipeline, () =>
          new Promise<undefined>((resolve) => {
            letGo = () => {
              stuckReturned = true;
              resolve(undefined);
            };
          }),
        ),
        timeoutMs: 300,
      };
      const otherPipeline = `${pipeline}.other`;
      let otherStarted = false;
      const other = testHandler(otherPipeline, () => {
        otherStarted = true;
        return Promise.resolve(undefined);
      });
      const [slow] = await bed.repo.enqueueJobs([{ pipeline, scope: {}, maxAttempts: 1, priority: 1 }]);
      await startWorker([stuck, other]);
      await waitFor('the slow job to start', async () => (await bed.repo.getJob(slow!.job.id))?.job.state === 'running');
      const [next] = await bed.repo.enqueueJobs([{ pipeline: otherPipeline, scope: {}, maxAttempts: 1 }]);

      // Settled while the handler is still running: its one attempt is spent, so it ends exhausted.
      const details = await finished(slow!.job.id);
      expect(stuckReturned).toBe(false);
      expect(details.job).toMatchObject({ state: 'exhausted', failure: { category: 'timeout', code: 'JOB_TIMEOUT', retryable: true } });
      expect(details.attempts.map((a) => [a.outcome, a.failure?.code])).toEqual([['failed', 'JOB_TIMEOUT']]);
      // The one slot is still the stuck handler's: concurrency counts handlers that have not returned.
      expect(otherStarted).toBe(false);
      expect((await bed.repo.getJob(next!.job.id))?.job.state).toBe('pending');

      letGo();
      expect((await finished(next!.job.id)).job.state).toBe('succeeded');
      expect(otherStarted).toBe(true);
    });
  });
}
