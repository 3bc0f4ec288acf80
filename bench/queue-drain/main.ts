import pg from 'pg';
import pino from 'pino';
import { HandlerRegistry } from '../../src/application/handler-registry.js';
import { systemNoopHandler } from '../../src/application/pipelines/system-noop.js';
import { Worker } from '../../src/application/worker.js';
import { migrateDatabase, openJobRepository } from '../../src/platform/storage.js';
import { withThrowawayDatabase } from '../support/throwaway-database.js';

/**
 * `npm run bench:drain [-- --jobs 20000 --concurrency 32 --claim-batch 500 --no-analyze]`: enqueue no-op jobs in bulk, then time
 * one worker process draining them with full bookkeeping (attempt rows, transitions), on a
 * throwaway database. A quick probe of our own queue; the
 * side-by-side comparison with other queues is a separate benchmark.
 */
const arg = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
};
const total = arg('jobs', 20_000);
const concurrency = arg('concurrency', 32);
const claimBatchSize = arg('claim-batch', concurrency);
// As autovacuum soon would: plans made without statistics can hide (or cause) a slow statement.
const analyze = !process.argv.includes('--no-analyze');

await withThrowawayDatabase('bench_drain', async (dsn) => {
  const database = { driver: 'postgres' as const, dsn, runMigrations: true, maxOpenConns: concurrency + 4, maxIdleConns: 4, connMaxLifetimeSec: 0 };
  await migrateDatabase(database);
  const repository = openJobRepository(database);
  // Where the time goes: the claim loop is serial; successes are settled in batches.
  const stats = { claims: 0, claimed: 0, claim_ms: 0, settle_batches: 0, settled: 0, settle_ms: 0 };
  const claimJobs = repository.claimJobs.bind(repository);
  repository.claimJobs = async (request) => {
    const started = performance.now();
    const jobs = await claimJobs(request);
    stats.claims++;
    stats.claimed += jobs.length;
    stats.claim_ms += performance.now() - started;
    return jobs;
  };
  const completeJobs = repository.completeJobs.bind(repository);
  repository.completeJobs = async (settles) => {
    const started = performance.now();
    const results = await completeJobs(settles);
    stats.settle_batches++;
    stats.settled += settles.length;
    stats.settle_ms += performance.now() - started;
    return results;
  };
  const enqueueStarted = performance.now();
  for (let done = 0; done < total; done += 5_000) {
    await repository.enqueueJobs(Array.from({ length: Math.min(5_000, total - done) }, (_, i) => ({ pipeline: 'system.noop', scope: { label: `j${done + i}` }, maxAttempts: 3 })));
  }
  const enqueueMs = performance.now() - enqueueStarted;
  if (analyze) {
    const client = new pg.Client({ connectionString: dsn });
    await client.connect();
    await client.query('VACUUM ANALYZE');
    await client.end();
  }

  let resolveDrained: () => void = () => undefined;
  const drained = new Promise<void>((resolve) => (resolveDrained = resolve));
  const worker = new Worker({
    repository,
    handlers: new HandlerRegistry([systemNoopHandler]),
    workerId: 'bench',
    concurrency,
    claimBatchSize,
    leaseMs: 60_000,
    heartbeatIntervalMs: 10_000,
    pollIntervalMs: 100,
    retryPolicy: { baseDelayMs: 1_000, maxDelayMs: 10_000 },
    logger: pino({ level: 'silent' }),
  });
  const poll = setInterval(() => {
    void repository.listJobs({ filter: { states: ['pending', 'running'] }, limit: 1 }).then((page) => {
      if (page.jobs.length === 0) resolveDrained();
    });
  }, 20);
  const drainStarted = performance.now();
  const cpuAtStart = process.cpuUsage();
  await worker.start();
  await drained;
  const drainMs = performance.now() - drainStarted;
  const cpu = process.cpuUsage(cpuAtStart);
  clearInterval(poll);
  await worker.stop(5_000);
  await repository.close();
  process.stdout.write(
    `${JSON.stringify({
      jobs: total,
      concurrency,
      claim_batch_size: claimBatchSize,
      analyzed: analyze,
      bulk_enqueue_per_s: Math.round((total / enqueueMs) * 1000),
      drain_per_s: Math.round((total / drainMs) * 1000),
      drain_ms: Math.round(drainMs),
      // This process's CPU (the worker, plus the 20 ms probe) per job while draining.
      process_cpu_us_per_job: Math.round((cpu.user + cpu.system) / total),
      jobs_per_claim: Math.round((stats.claimed / Math.max(stats.claims, 1)) * 10) / 10,
      claim_avg_ms: Math.round((stats.claim_ms / Math.max(stats.claims, 1)) * 10) / 10,
      jobs_per_settle: Math.round((stats.settled / Math.max(stats.settle_batches, 1)) * 10) / 10,
      settle_avg_ms: Math.round((stats.settle_ms / Math.max(stats.settle_batches, 1)) * 10) / 10,
    })}\n`,
  );
});
