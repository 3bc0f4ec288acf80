import PgBoss from 'pg-boss';
import { seqOf, type QueueSubject } from '../subject.js';

/**
 * pg-boss 10. Each `work()` call adds one polling worker, so concurrency c is c `work()` calls.
 * By default a worker fetches one job per polling interval (2 s); its documented throughput knob is
 * `batchSize`, a handler that takes an array, together with the shortest polling interval (0.5 s).
 */
const QUEUE = 'bench';
const BATCH = 500;
const MIN_POLLING_SECONDS = 0.5;

function reportErrors(boss: PgBoss): PgBoss {
  boss.on('error', (error) => process.stderr.write(`pg-boss: ${error.message}\n`));
  return boss;
}

export const pgBoss: QueueSubject = {
  id: 'pg-boss',
  name: 'pg-boss 10',
  configs: [
    { id: 'defaults', description: 'c × `work(name, handler)`: one job per fetch, polling every 2 s' },
    {
      id: 'tuned',
      description: `c × \`work(name, { batchSize: ${BATCH}, pollingIntervalSeconds: ${MIN_POLLING_SECONDS} }, handler)\`, the handler taking the batch`,
    },
  ],

  async openProducer(dsn, poolSize) {
    // A producer only sends: no maintenance or cron in this instance (the workers run them).
    const boss = reportErrors(new PgBoss({ connectionString: dsn, max: poolSize, supervise: false, schedule: false, application_name: 'bench:producer' }));
    await boss.start();
    if ((await boss.getQueue(QUEUE)) === null) await boss.createQueue(QUEUE);
    return {
      enqueueOne: async (seq) => {
        await boss.send(QUEUE, { seq });
      },
      enqueueBulk: async (from, count) => {
        await boss.insert(Array.from({ length: count }, (_, i) => ({ name: QUEUE, data: { seq: from + i } })));
      },
      close: () => boss.stop({ graceful: false, wait: true }),
    };
  },

  async prepareWorker({ dsn, config, concurrency, onJobStart }) {
    // Everything else as a plain `new PgBoss(url)` has it (maintenance and cron monitoring on).
    const boss = reportErrors(new PgBoss({ connectionString: dsn, max: concurrency + 4, application_name: 'bench:worker' }));
    await boss.start();
    const handler = (jobs: PgBoss.Job[]) => {
      for (const job of jobs) onJobStart(seqOf(job.data));
      return Promise.resolve();
    };
    return {
      start: async () => {
        for (let i = 0; i < concurrency; i++) {
          if (config === 'tuned') await boss.work(QUEUE, { batchSize: BATCH, pollingIntervalSeconds: MIN_POLLING_SECONDS }, handler);
          else await boss.work(QUEUE, handler);
        }
      },
      stop: () => boss.stop({ graceful: true, wait: true, timeout: 30_000 }),
    };
  },

  async anyUnfinished(db) {
    const result = await db.query<{ any: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pgboss.job WHERE name = $1 AND state < 'completed') AS any`,
      [QUEUE],
    );
    return result.rows[0]?.any ?? true;
  },

  async countFinished(db) {
    const result = await db.query<{ n: number }>(
      `SELECT ((SELECT count(*) FROM pgboss.job WHERE name = $1 AND state = 'completed')
             + (SELECT count(*) FROM pgboss.archive WHERE name = $1 AND state = 'completed'))::int AS n`,
      [QUEUE],
    );
    return { finished: result.rows[0]?.n ?? 0, evidence: "state 'completed' (in pgboss.job or its archive)" };
  },
};
