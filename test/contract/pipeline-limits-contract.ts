import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HandlerRegistry } from '../../src/application/handler-registry.js';
import { Worker } from '../../src/application/worker.js';
import type { EnqueueJobInput, JobRepository } from '../../src/core/job-repository.js';
import { leaseOf, type Job } from '../../src/core/job.js';
import { migrateDatabase, openJobRepository } from '../../src/platform/storage.js';
import { passDeadline } from '../support/database-clock.js';
import { FixtureServer } from '../support/fixture-server.js';
import type { TestDatabase } from '../support/test-databases.js';
import { testHandler } from '../support/test-handler.js';
import { waitFor } from '../support/wait-for.js';
import { databaseConfig, type DatabaseConfig } from '../support/test-databases.js';

/**
 * Per-pipeline limits on jobs running at once (docs/adr/0020), enforced by the claim on every
 * dialect: for one claimer, for many claiming at the same moment on separate connections, for
 * expired leases being rescued, and without holding back other pipelines' jobs.
 */
export function describePipelineLimitsContract(driver: 'postgres' | 'sqlite', createDatabase: () => Promise<TestDatabase>): void {
  describe(`Pipeline limits (${driver})`, () => {
    let database: TestDatabase;
    let config: DatabaseConfig;
    let opened: JobRepository[] = [];
    let repo: JobRepository;

    const openRepository = () => {
      const repository = openJobRepository(config);
      opened.push(repository);
      return repository;
    };
    const jobs = (pipeline: string, count: number, extra: Partial<EnqueueJobInput> = {}): EnqueueJobInput[] =>
      Array.from({ length: count }, (_, i) => ({ pipeline, scope: { n: i }, maxAttempts: 3, ...extra }));
    const enqueue = async (inputs: EnqueueJobInput[]) => (await repo.enqueueJobs(inputs)).map((r) => r.job);
    const running = async (pipeline: string) =>
      (await repo.listJobs({ filter: { pipeline, states: ['running'] }, limit: 200 })).jobs.length;
    const pipelinesOf = (claimed: Job[]) => claimed.map((j) => j.pipeline).sort();

    // Each test has a database of its own: a claim takes any pipeline's due jobs.
    beforeEach(async () => {
      database = await createDatabase();
      config = databaseConfig(driver, database.dsn);
      await migrateDatabase(config);
      repo = openRepository();
    });

    afterEach(async () => {
      await Promise.all(opened.map((r) => r.close()));
      opened = [];
      await database.drop();
    });

    it('stores, replaces, reads and removes a limit', async () => {
      expect(await repo.getPipelineLimit('p.a')).toBeNull();
      const set = await repo.setPipelineLimit('p.a', 3);
      expect(set).toMatchObject({ pipeline: 'p.a', maxRunning: 3 });
      expect(set?.updatedAt).toBeInstanceOf(Date);
      expect(await repo.setPipelineLimit('p.a', 5)).toMatchObject({ maxRunning: 5 });
      expect(await repo.getPipelineLimit('p.a')).toMatchObject({ pipeline: 'p.a', maxRunning: 5 });
      expect(await repo.getPipelineLimit('p.b')).toBeNull();
      expect(await repo.setPipelineLimit('p.a', null)).toBeNull();
      expect(await repo.getPipelineLimit('p.a')).toBeNull();
      await expect(repo.setPipelineLimit('p.a', 0)).rejects.toThrow(RangeError);
      await expect(repo.setPipelineLimit('p.a', 1.5)).rejects.toThrow(RangeError);
    });

    it('lets one claim of a batch take no more of a limited pipeline than its limit, and more as its jobs finish', async () => {
      await repo.setPipelineLimit('p.limited', 2);
      await enqueue(jobs('p.limited', 5));
      const first = await repo.claimJobs({ workerId: 'w1', limit: 10, leaseMs: 30_000 });
      expect(first).toHaveLength(2);
      expect(await repo.claimJobs({ workerId: 'w2', limit: 10, leaseMs: 30_000 })).toEqual([]);

      await repo.completeJob(leaseOf(first[0]!), {});
      const next = await repo.claimJobs({ workerId: 'w2', limit: 10, leaseMs: 30_000 });
      expect(next).toHaveLength(1);
      expect(await running('p.limited')).toBe(2);
    });

    it('never has more than the limit running with 8 connections claiming at the same moment, round after round', async () => {
      const limit = 3;
      await repo.setPipelineLimit('p.contended', limit);
      await enqueue(jobs('p.contended', 60));
      const claimers = Array.from({ length: 8 }, () => openRepository());
      let finished = 0;
      for (let round = 0; round < 40 && finished < 60; round++) {
        const claimed = (
          await Promise.all(claimers.map((claimer, i) => claimer.claimJobs({ workerId: `w${i}`, limit: 4, leaseMs: 30_000 })))
        ).flat();
        const now = await running('p.contended');
        expect(now, `round ${round}`).toBeLessThanOrEqual(limit);
        expect(claimed.length, `round ${round}`).toBeLessThanOrEqual(limit);
        // Free every slot again for the next round, and count what ran.
        await Promise.all(claimed.map((j) => repo.completeJob(leaseOf(j), {})));
        finished += claimed.length;
      }
      expect(finished).toBe(60);
    });

    it('counts a running job whose lease expired once: the claim rescues it and tops up only to the limit', async () => {
      await repo.setPipelineLimit('p.rescued', 3);
      await enqueue(jobs('p.rescued', 6));
      const stalled = await repo.claimJobs({ workerId: 'w-dead', limit: 2, leaseMs: 30_000 });
      expect(stalled).toHaveLength(2);
      await passDeadline(driver, database.dsn, 'lease_until', stalled.map((j) => j.id));

      const claimed = await repo.claimJobs({ workerId: 'w-live', limit: 10, leaseMs: 30_000 });
      // Both expired jobs are rescued (they were running and still are), and one pending job fills the limit.
      expect(claimed).toHaveLength(3);
      expect(claimed.filter((j) => stalled.some((s) => s.id === j.id))).toHaveLength(2);
      expect(claimed.every((j) => j.claimedBy === 'w-live')).toBe(true);
      expect(await running('p.rescued')).toBe(3);
      expect(await repo.claimJobs({ workerId: 'w-other', limit: 10, leaseMs: 30_000 })).toEqual([]);
    });

    it('claims as before once the limit is removed', async () => {
      await repo.setPipelineLimit('p.freed', 1);
      await enqueue(jobs('p.freed', 3));
      expect(await repo.claimJobs({ workerId: 'w1', limit: 10, leaseMs: 30_000 })).toHaveLength(1);
      expect(await repo.claimJobs({ workerId: 'w1', limit: 10, leaseMs: 30_000 })).toEqual([]);
      await repo.setPipelineLimit('p.freed', null);
      expect(await repo.claimJobs({ workerId: 'w2', limit: 10, leaseMs: 30_000 })).toHaveLength(2);
      expect(await running('p.freed')).toBe(3);
    });

    it("skips a capped pipeline's jobs, however high their priority, and takes the other pipelines' behind them", async () => {
      await repo.setPipelineLimit('p.capped', 1);
      await repo.setPipelineLimit('p.roomy', 2);
      await enqueue(jobs('p.capped', 20, { priority: 10 }));
      await enqueue(jobs('p.roomy', 5, { priority: 5 }));
      await enqueue(jobs('p.open', 4));

      // Priority order within the limits: one capped job, two roomy ones, then the open pipeline.
      const first = await repo.claimJobs({ workerId: 'w1', limit: 5, leaseMs: 30_000 });
      expect(first.map((j) => j.pipeline)).toEqual(['p.capped', 'p.roomy', 'p.roomy', 'p.open', 'p.open']);

      // Both limited pipelines are full now: a small claim still finds the open pipeline's jobs.
      const second = await repo.claimJobs({ workerId: 'w2', limit: 2, leaseMs: 30_000 });
      expect(pipelinesOf(second)).toEqual(['p.open', 'p.open']);
      expect(await repo.claimJobs({ workerId: 'w3', limit: 5, leaseMs: 30_000 })).toEqual([]);
      expect([await running('p.capped'), await running('p.roomy'), await running('p.open')]).toEqual([1, 2, 4]);
    });

    it("keeps another pipeline's jobs finishing while every request of a limited pipeline hangs", async () => {
      const origin = await new FixtureServer().start();
      // Never answered: the request stays open until the worker aborts the job at shutdown.
      origin.route('/hang', () => undefined);
      origin.route('/quick', (_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
      const fetchFrom = (path: string) =>
        testHandler(path === '/hang' ? 'source.hanging' : 'source.healthy', async ({ signal }) => {
          const response = await fetch(`${origin.origin}${path}`, { signal });
          await response.text();
          return {};
        });
      const worker = new Worker({
        repository: openRepository(),
        handlers: new HandlerRegistry([fetchFrom('/hang'), fetchFrom('/quick')]),
        workerId: 'limits-worker',
        concurrency: 4,
        // Long enough that a heartbeat late on a loaded machine never lets the hung job be rescued and fetch twice.
        leaseMs: 30_000,
        heartbeatIntervalMs: 1_000,
        pollIntervalMs: 200,
        retryPolicy: { baseDelayMs: 50, maxDelayMs: 1_000 },
        logger: pino({ level: 'silent' }),
      });
      try {
        await repo.setPipelineLimit('source.hanging', 1);
        // The hanging source's jobs come first and outnumber the worker's slots.
        await enqueue(jobs('source.hanging', 6, { priority: 1 }));
        const healthy = await enqueue(jobs('source.healthy', 8));
        await worker.start();
        await waitFor(
          'every job of the healthy source to succeed',
          async () => {
            const done = await repo.listJobs({ filter: { pipeline: 'source.healthy', states: ['succeeded'] }, limit: 200 });
            return done.jobs.length === healthy.length;
          },
          30_000,
        );
        expect(await running('source.hanging')).toBe(1);
        expect(origin.requestsTo('/hang')).toHaveLength(1);
        expect(origin.requestsTo('/quick')).toHaveLength(8);
      } finally {
        // Shutdown aborts the hung handler; its job is handed back.
        await worker.stop(1_000);
        await origin.stop();
      }
    });
  });
}
