import { Logger, makeWorkerUtils, run, type Task } from 'graphile-worker';
import pg from 'pg';
import { seqOf, type QueueSubject } from '../subject.js';

/**
 * graphile-worker 0.17: one runner with `concurrency` slots. It deletes a job when the job
 * completes, which is its record of completion. Its documented batching (the performance page and
 * the preset's `localQueue` and `completeJobBatchDelay`) is the tuned configuration.
 */
const TASK = 'noop';
const LOCAL_QUEUE = 500;

/** Errors only: the default console logger would print every job. */
const logger = new Logger(() => (level, message) => {
  if ((level as string) === 'error') process.stderr.write(`graphile-worker: ${message}\n`);
});

export const graphileWorker: QueueSubject = {
  id: 'graphile-worker',
  name: 'graphile-worker 0.17',
  configs: [
    { id: 'defaults', description: '`run({ concurrency: c, taskList })`: one fetch per job, one completion statement per job' },
    {
      id: 'tuned',
      description: `defaults plus preset \`worker: { localQueue: { size: ${LOCAL_QUEUE} }, completeJobBatchDelay: 0 }\``,
    },
  ],

  async openProducer(dsn, poolSize) {
    const utils = await makeWorkerUtils({ connectionString: dsn, maxPoolSize: Math.max(2, poolSize), logger });
    await utils.migrate();
    return {
      enqueueOne: async (seq) => {
        await utils.addJob(TASK, { seq });
      },
      enqueueBulk: async (from, count) => {
        await utils.addJobs(Array.from({ length: count }, (_, i) => ({ identifier: TASK, payload: { seq: from + i } })));
      },
      close: async () => {
        await utils.release();
      },
    };
  },

  async prepareWorker({ dsn, config, concurrency, onJobStart }) {
    // Our own pool, so it is connected before the clock starts; graphile-worker leaves it open.
    const pgPool = new pg.Pool({ connectionString: dsn, max: concurrency + 4, application_name: 'bench:worker' });
    const report = (error: Error) => process.stderr.write(`graphile-worker pool: ${error.message}\n`);
    pgPool.on('error', report);
    pgPool.on('connect', (client) => client.on('error', report));
    await pgPool.query('SELECT 1');
    const task: Task = (payload) => {
      onJobStart(seqOf(payload));
    };
    let runner: Awaited<ReturnType<typeof run>> | undefined;
    return {
      start: async () => {
        runner = await run({
          pgPool,
          concurrency,
          noHandleSignals: true,
          taskList: { [TASK]: task },
          logger,
          preset: { worker: config === 'tuned' ? { localQueue: { size: LOCAL_QUEUE }, completeJobBatchDelay: 0 } : {} },
        });
      },
      stop: async () => {
        await runner?.stop();
        await pgPool.end();
      },
    };
  },

  async anyUnfinished(db) {
    const result = await db.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM graphile_worker._private_jobs) AS any`);
    return result.rows[0]?.any ?? true;
  },

  async countFinished(db, enqueued) {
    const result = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM graphile_worker._private_jobs`);
    return { finished: enqueued - (result.rows[0]?.n ?? enqueued), evidence: 'job row deleted (graphile-worker deletes a job when it completes)' };
  },
};
