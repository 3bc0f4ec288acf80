import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Execution } from '../../src/application/job-execution.js';
import { newExecution } from '../../src/application/job-execution.js';
import { HandlerRegistry } from '../../src/application/handler-registry.js';
import { JobSettler } from '../../src/application/job-settler.js';
import type { JobHandler } from '../../src/application/job-handler.js';
import { Worker } from '../../src/application/worker.js';
import { PrometheusMetrics } from '../../src/adapters/metrics/prometheus-metrics.js';
import { JobError } from '../../src/core/job-error.js';
import type { JobRepository } from '../../src/core/job-repository.js';
import { migrateDatabase, openJobRepository } from '../../src/platform/storage.js';
import { passDeadline } from '../support/database-clock.js';
import { parseSamples, sample } from '../support/prometheus-text.js';
import { testHandler } from '../support/test-handler.js';
import type { TestDatabase } from '../support/test-databases.js';
import { waitFor } from '../support/wait-for.js';
import { databaseConfig, type DatabaseConfig } from './job-repository-contract.js';

const silent = pino({ level: 'silent' });
const HOUR_MS = 3_600_000;

/** What the metrics read from storage and count about workers, on a real database of each dialect. */
export function describeMetricsContract(driver: 'postgres' | 'sqlite', createDatabase: () => Promise<TestDatabase>): void {
  describe(`metrics (${driver})`, () => {
    let database: TestDatabase;
    let config: DatabaseConfig;
    let repo: JobRepository;
    const workers: Worker[] = [];
    let seq = 0;
    const freshPipeline = () => `metrics.p${++seq}.${Date.now()}`;

    beforeAll(async () => {
      database = await createDatabase();
      config = databaseConfig(driver, database.dsn);
      await migrateDatabase(config);
      repo = openJobRepository(config);
    });
    afterEach(async () => {
      await Promise.all(workers.splice(0).map((w) => w.stop(2_000)));
    });
    afterAll(async () => {
      await repo.close();
      await database.drop();
    });

    const statsOf = async (pipeline: string) => (await repo.queueStats({ timeoutMs: 5_000 })).filter((s) => s.pipeline === pipeline);

    /** Leaves nothing of a test for the next one to claim. */
    const cancelPending = async (pipeline: string) => {
      const page = await repo.listJobs({ filter: { pipeline, states: ['pending'] }, limit: 100 });
      for (const job of page.jobs) await repo.cancelJob(job.id);
    };

    /** Claims one job: each test leaves no other runnable. */
    const claim = async (workerId: string, leaseMs = 30_000) => {
      const [job] = await repo.claimJobs({ workerId, limit: 1, leaseMs });
      if (job === undefined) throw new Error('nothing was claimed');
      return job;
    };

    it('counts jobs per pipeline and state, leaves succeeded out, and ages only jobs runnable now', async () => {
      const pipeline = freshPipeline();
      const now = Date.now();
      await repo.enqueueJobs([
        { pipeline, scope: { n: 1 }, maxAttempts: 1, runAt: new Date(now - HOUR_MS) },
        { pipeline, scope: { n: 2 }, maxAttempts: 1 },
        { pipeline, scope: { n: 3 }, maxAttempts: 1, runAt: new Date(now + HOUR_MS) },
        { pipeline, scope: { n: 4 }, maxAttempts: 1, runAt: new Date(now - 2 * HOUR_MS), priority: 9 },
        { pipeline, scope: { n: 5 }, maxAttempts: 1, priority: 8 },
      ]);
      // The two highest priorities: one to finish, one left running.
      const done = await claim('w1');
      await repo.completeJob({ jobId: done.id, attemptNumber: done.attemptCount, workerId: 'w1' }, {});
      await claim('w2');

      const stats = await statsOf(pipeline);
      const byState = Object.fromEntries(stats.map((s) => [s.state, s.jobs]));
      expect(byState).toEqual({ pending: 3, running: 1 });
      const pending = stats.find((s) => s.state === 'pending');
      // The job due an hour ago is the oldest runnable; the one due in an hour does not count.
      expect(pending?.oldestRunnableAgeMs).toBeGreaterThanOrEqual(HOUR_MS - 60_000);
      expect(pending?.oldestRunnableAgeMs).toBeLessThan(HOUR_MS + 60_000);
      expect(stats.find((s) => s.state === 'running')?.oldestRunnableAgeMs).toBeNull();
      await cancelPending(pipeline);
    });

    it('reports no runnable age when every pending job is due later', async () => {
      const pipeline = freshPipeline();
      await repo.enqueueJobs([{ pipeline, scope: {}, maxAttempts: 1, runAt: new Date(Date.now() + HOUR_MS) }]);
      expect(await statsOf(pipeline)).toEqual([{ pipeline, state: 'pending', jobs: 1, oldestRunnableAgeMs: null }]);
      await cancelPending(pipeline);
    });

    it('marks a job a claim took over from an expired lease as rescued, and no other', async () => {
      const pipeline = freshPipeline();
      const [enqueued] = await repo.enqueueJobs([{ pipeline, scope: {}, maxAttempts: 3 }]);
      const first = await claim('dead-worker');
      expect(first.rescued).toBe(false);
      await passDeadline(driver, database.dsn, 'lease_until', [enqueued!.job.id]);
      const second = await claim('rescuer');
      expect({ id: second.id, rescued: second.rescued }).toEqual({ id: first.id, rescued: true });
      await repo.completeJob({ jobId: second.id, attemptNumber: second.attemptCount, workerId: 'rescuer' }, {});
    });

    it("counts a worker's outcomes, durations and lease rescues", async () => {
      const pipeline = freshPipeline();
      const metrics = new PrometheusMetrics();
      const handler: JobHandler = testHandler(pipeline, ({ job }) => {
        const kind = job.scope.kind;
        if (kind === 'broken') return Promise.reject(new JobError('parse', 'MARKUP_DRIFT', 'no table', { retryable: false }));
        if (kind === 'flaky') return Promise.reject(new JobError('network', 'ECONNRESET', 'reset', { retryable: true }));
        return Promise.resolve({ counters: { ok: true } });
      });
      const enqueued = await repo.enqueueJobs(
        ['fine', 'fine', 'broken', 'flaky', 'orphan'].map((kind, n) => ({ pipeline, scope: { kind, n }, maxAttempts: 2 })),
      );
      // The orphan's worker died holding it: its lease expires and the worker below rescues it.
      const orphan = enqueued[4]!.job.id;
      const dead = await repo.claimJobs({ workerId: 'dead-worker', limit: 5, leaseMs: 30_000 });
      expect(dead.map((j) => j.id).sort()).toEqual(enqueued.map((e) => e.job.id).sort());
      // All but the orphan are handed back untouched; the orphan's lease runs out.
      for (const job of dead.filter((j) => j.id !== orphan)) {
        await repo.releaseJob({ jobId: job.id, attemptNumber: job.attemptCount, workerId: 'dead-worker' }, 'test');
      }
      await passDeadline(driver, database.dsn, 'lease_until', [orphan]);

      const worker = new Worker({
        repository: repo,
        handlers: new HandlerRegistry([handler]),
        workerId: 'counted',
        concurrency: 4,
        leaseMs: 30_000,
        heartbeatIntervalMs: 10_000,
        pollIntervalMs: 50,
        // The flaky job's retry is due an hour later: it stays pending, counted once as retrying.
        retryPolicy: { baseDelayMs: HOUR_MS, maxDelayMs: HOUR_MS },
        random: () => 0,
        logger: silent,
        metrics,
      });
      workers.push(worker);
      await worker.start();
      const samples = await waitFor('five outcomes', async () => {
        const parsed = parseSamples(await metrics.render());
        return sample(parsed, 'ingest_job_duration_seconds_count', { pipeline }) === 5 ? parsed : undefined;
      });
      const finished = (outcome: string) => sample(samples, 'ingest_jobs_finished_total', { pipeline, outcome });
      expect({
        succeeded: finished('succeeded'),
        failed: finished('failed'),
        retrying: finished('retrying'),
        rescues: sample(samples, 'ingest_lease_rescues_total'),
      }).toEqual({ succeeded: 3, failed: 1, retrying: 1, rescues: 1 });
      expect(sample(samples, 'ingest_job_duration_seconds_bucket', { le: '+Inf', pipeline })).toBe(5);
    });

    it('counts a settle the lease fence refused, and changes nothing', async () => {
      const pipeline = freshPipeline();
      const metrics = new PrometheusMetrics();
      const [enqueued] = await repo.enqueueJobs([{ pipeline, scope: {}, maxAttempts: 3 }]);
      const lost = await claim('slow-worker');
      await passDeadline(driver, database.dsn, 'lease_until', [enqueued!.job.id]);
      const owner = await claim('new-owner');
      const settler = new JobSettler({
        repository: repo,
        retryPolicy: { baseDelayMs: 10, maxDelayMs: 10 },
        random: () => 0,
        leaseMs: 30_000,
        monotonicNow: () => performance.now(),
        maxInterruptions: 10,
        metrics,
      });
      const execution: Execution = newExecution(lost, silent, 'slow-worker', performance.now());
      const settled = await settler.succeed(execution, { counters: { late: true } });
      expect(settled).toEqual({ applied: false, reason: expect.any(String) as unknown });
      const samples = parseSamples(await metrics.render());
      expect(sample(samples, 'ingest_fenced_settles_rejected_total')).toBe(1);
      expect(sample(samples, 'ingest_jobs_finished_total', { pipeline, outcome: 'succeeded' })).toBe(0);
      expect((await repo.getJob(owner.id))?.job).toMatchObject({ state: 'running', claimedBy: 'new-owner' });
      await repo.completeJob({ jobId: owner.id, attemptNumber: owner.attemptCount, workerId: 'new-owner' }, {});
    });
  });
}
