import pino from 'pino';
import { HandlerRegistry } from '../../../src/application/handler-registry.js';
import type { JobHandler } from '../../../src/application/job-handler.js';
import { SYSTEM_NOOP, systemNoopHandler } from '../../../src/application/pipelines/system-noop.js';
import { Worker } from '../../../src/application/worker.js';
import type { EnqueueJobInput } from '../../../src/core/job-repository.js';
import { loadConfig, type AppConfig } from '../../../src/platform/config.js';
import { migrateDatabase, openJobRepository } from '../../../src/platform/storage.js';
import type { QueueSubject } from '../subject.js';

/**
 * This service's queue: the Worker over the PostgreSQL job repository, with full bookkeeping
 * (an attempt row and state transitions per job). Settings come from the service's own config
 * defaults, as a deployment that sets nothing gets them; only the pool is sized to the concurrency.
 */
const CLAIM_BATCH = 500;

function postgresConfig(dsn: string, poolSize: number): AppConfig {
  // The default of two idle connections needs a pool of at least two.
  return loadConfig({ DATABASE_DRIVER: 'postgres', DATABASE_DSN: dsn, DATABASE_MAX_OPEN_CONNS: String(Math.max(2, poolSize)) });
}

const job = (seq: number): EnqueueJobInput => ({ pipeline: SYSTEM_NOOP, scope: { label: String(seq) }, maxAttempts: 3 });

export const ours: QueueSubject = {
  id: 'ours',
  name: 'ours (ingestion-adapter)',
  configs: [
    { id: 'defaults', description: 'service config defaults (poll 2 s, lease 30 s, heartbeat 10 s); claims only for free slots' },
    { id: 'tuned', description: `defaults plus \`claimBatchSize: ${CLAIM_BATCH}\` (surplus waits in a local queue)` },
  ],

  async openProducer(dsn, poolSize) {
    const { database } = postgresConfig(dsn, poolSize);
    await migrateDatabase(database);
    const repository = openJobRepository(database, { applicationName: 'bench:producer' });
    return {
      enqueueOne: async (seq) => {
        await repository.enqueueJobs([job(seq)]);
      },
      enqueueBulk: async (from, count) => {
        await repository.enqueueJobs(Array.from({ length: count }, (_, i) => job(from + i)));
      },
      close: () => repository.close(),
    };
  },

  async prepareWorker({ dsn, config, concurrency, onJobStart }) {
    const settings = postgresConfig(dsn, concurrency + 4);
    const repository = openJobRepository(settings.database, { applicationName: 'bench:worker' });
    // One round trip so the pool is connected before the clock starts.
    await repository.listJobs({ filter: { states: ['pending'] }, limit: 1 });
    const handler: JobHandler = {
      ...systemNoopHandler,
      run: (context) => {
        onJobStart(Number(context.job.scope.label));
        return systemNoopHandler.run(context);
      },
    };
    const defaults = settings.worker;
    const worker = new Worker({
      repository,
      handlers: new HandlerRegistry([handler]),
      workerId: `bench-${process.pid}`,
      concurrency,
      ...(config === 'tuned' ? { claimBatchSize: CLAIM_BATCH } : {}),
      leaseMs: defaults.leaseMs,
      heartbeatIntervalMs: defaults.heartbeatIntervalMs,
      pollIntervalMs: defaults.pollIntervalMs,
      retryPolicy: { baseDelayMs: defaults.baseRetryDelayMs, maxDelayMs: defaults.maxRetryDelayMs },
      logger: pino({ level: 'silent' }),
    });
    return {
      start: () => worker.start(),
      stop: async () => {
        await worker.stop(defaults.shutdownTimeoutMs);
        await repository.close();
      },
    };
  },

  async anyUnfinished(db) {
    // One probe each through the claim's partial indexes (due jobs; held leases), never scanning finished rows.
    const result = await db.query<{ any: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM ingestion_jobs WHERE state = 'pending')
           OR EXISTS (SELECT 1 FROM ingestion_jobs WHERE lease_until IS NOT NULL) AS any`,
    );
    return result.rows[0]?.any ?? true;
  },

  async countFinished(db) {
    const result = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ingestion_jobs j
        WHERE j.state = 'succeeded'
          AND EXISTS (SELECT 1 FROM job_attempts a WHERE a.job_id = j.id AND a.outcome = 'succeeded' AND a.finished_at IS NOT NULL)
          AND EXISTS (SELECT 1 FROM job_state_transitions t WHERE t.job_id = j.id AND t.to_state = 'pending')`,
    );
    // The claim and success transitions are the succeeded attempt row's start and finish (ADR 9).
    return {
      finished: result.rows[0]?.n ?? 0,
      evidence: "state 'succeeded', a succeeded attempt row (its claim and success transitions), and the enqueue transition",
    };
  },
};
