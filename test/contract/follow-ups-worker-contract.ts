import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HttpFetcher } from '../../src/adapters/fetch/http-fetcher.js';
import { PrometheusMetrics } from '../../src/adapters/metrics/prometheus-metrics.js';
import type { Storage } from '../../src/adapters/storage/shared/storage.js';
import { HandlerRegistry } from '../../src/application/handler-registry.js';
import type { JobHandler } from '../../src/application/job-handler.js';
import { Worker } from '../../src/application/worker.js';
import type { FollowUpJob } from '../../src/core/follow-up.js';
import { JobError } from '../../src/core/job-error.js';
import type { PipelineDefinition } from '../../src/core/pipeline.js';
import { loadConfig } from '../../src/platform/config.js';
import { createHandlers } from '../../src/platform/handlers.js';
import { buildApi } from '../../src/platform/start-api.js';
import { migrateDatabase, openStorage } from '../../src/platform/storage.js';
import { FixtureServer } from '../support/fixture-server.js';
import { fixturePipeline } from '../support/fixture-pipeline.js';
import { parseSamples, sample } from '../support/prometheus-text.js';
import { countRows } from '../support/table-rows.js';
import { databaseConfig, type TestDatabase } from '../support/test-databases.js';
import { waitFor } from '../support/wait-for.js';

const TOKEN = 'follow-up-token-0123456789';
const FINAL = ['succeeded', 'failed', 'exhausted', 'cancelled'];
const feedSchema = z.object({ name: z.string(), children: z.array(z.string()).default([]) });

/**
 * A feed whose content names the feeds to fetch next: `/feed/{name}` answers `{name, children}`,
 * and each child becomes a follow-up job of this pipeline. `bad` declares what its scope asks for
 * instead: a follow-up of an unregistered pipeline, one with a scope the pipeline refuses, or too many.
 */
function feedPipeline(origin: string, name: string, declare?: (scope: { name: string }) => FollowUpJob[]): PipelineDefinition<{ name: string }> {
  return {
    name,
    scopeSchema: z.strictObject({ name: z.string().regex(/^[a-z0-9-]{1,40}$/) }),
    paramsSchema: z.strictObject({}),
    parserVersion: '1',
    normalizerVersion: '1',
    allowedHosts: ['127.0.0.1'],
    maxRequests: 1,
    planRequests: ({ scope, fetched }) =>
      fetched.length > 0 ? [] : [{ resourceType: 'feed', resourceKey: scope.name, method: 'GET', url: `${origin}/feed/${scope.name}` }],
    parse: ({ fetched }) => {
      const parsed = feedSchema.safeParse(JSON.parse(Buffer.from(fetched[0]?.body ?? new Uint8Array()).toString('utf8')));
      if (!parsed.success) throw new JobError('parse', 'UNEXPECTED_SHAPE', parsed.error.message);
      return parsed.data;
    },
    normalize: ({ parsed }) => {
      const feed = parsed as z.infer<typeof feedSchema>;
      return { records: [{ name: feed.name }], children: feed.children };
    },
    followUps: ({ scope, content }) =>
      declare?.(scope) ??
      (Array.isArray(content.children) ? content.children : [])
        .filter((child): child is string => typeof child === 'string')
        .map((child) => ({ pipeline: name, scope: { name: child }, key: child })),
  };
}

/**
 * A pipeline's follow-up jobs run by a real worker, fetched from a real loopback server and seen
 * through the real API on loopback; and change detection (validators, identical bodies) counted.
 */
export function describeFollowUpsWorkerContract(driver: 'postgres' | 'sqlite', createDatabase: () => Promise<TestDatabase>): void {
  describe(`Follow-up jobs run by a worker (${driver})`, () => {
    let database: TestDatabase;
    let storage: Storage;
    let server: FixtureServer;
    let fetcher: HttpFetcher;
    let metrics: PrometheusMetrics;
    let handlers: JobHandler[];
    let api: FastifyInstance;
    let apiUrl = '';
    const workers: Worker[] = [];

    const call = async (method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}) => {
      const response = await fetch(`${apiUrl}/internal/v1/${path}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const enqueue = async (pipeline: string, name: string, requestId?: string): Promise<string> => {
      const created = await call('POST', 'jobs', { pipeline, scope: { name } }, requestId === undefined ? {} : { 'x-request-id': requestId });
      expect(created.status).toBe(201);
      return (created.body.job as { id: string }).id;
    };
    interface JobView {
      id: string;
      state: string;
      parent_job_id: string | null;
      correlation_id: string | null;
      scope: { name: string };
      counters: Record<string, unknown>;
      failure: { code: string; message: string; retryable: boolean } | null;
    }
    const jobView = async (id: string) => (await call('GET', `jobs/${id}`)).body as { job: JobView; result: { decision: string } | null };
    const finished = (id: string) =>
      waitFor(`job ${id} to finish`, async () => {
        const view = await jobView(id);
        return FINAL.includes(view.job.state) ? view : undefined;
      }, 60_000);
    const listed = async (pipeline: string): Promise<JobView[]> =>
      ((await call('GET', `jobs?pipeline=${pipeline}&limit=200`)).body.jobs as JobView[]).sort((a, b) => Number(a.id) - Number(b.id));
    const samples = async () => parseSamples(await metrics.render());
    const startWorker = async () => {
      const worker = new Worker({
        repository: storage.jobs,
        handlers: new HandlerRegistry(handlers),
        workerId: `follow-${workers.length + 1}`,
        concurrency: 4,
        leaseMs: 10_000,
        heartbeatIntervalMs: 2_000,
        pollIntervalMs: 50,
        retryPolicy: { baseDelayMs: 50, maxDelayMs: 200 },
        logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
        random: () => 0,
        metrics,
      });
      workers.push(worker);
      await worker.start();
    };

    beforeAll(async () => {
      database = await createDatabase();
      const config = { ...loadConfig({ INTERNAL_AUTH_TOKEN: TOKEN }), database: databaseConfig(driver, database.dsn) };
      await migrateDatabase(config.database);
      storage = openStorage(config.database);
      server = await new FixtureServer().start();
      fetcher = new HttpFetcher({
        userAgent: 'ingestion-adapter/test (+tests@localhost)',
        connectTimeoutMs: 5_000,
        headersTimeoutMs: 10_000,
        bodyTimeoutMs: 10_000,
        totalTimeoutMs: 30_000,
        maxBodyBytes: 64 * 1024,
        maxRedirects: 3,
        budgetFor: () => ({ requestsPerMinute: 600_000, maxConcurrency: 32 }),
      });
      metrics = new PrometheusMetrics();
      const origin = server.origin;
      const definitions = [
        feedPipeline(origin, 'test.feed'),
        feedPipeline(origin, 'test.bad', ({ name }) => {
          if (name === 'unknown-pipeline') return [{ pipeline: 'test.nowhere', scope: { name: 'x' }, key: 'x' }];
          if (name === 'bad-scope') return [{ pipeline: 'test.feed', scope: { name: 'x' }, key: 'ok' }, { pipeline: 'test.feed', scope: { name: 'NOT VALID' }, key: 'second' }];
          return Array.from({ length: 1_001 }, (_, i) => ({ pipeline: 'test.feed', scope: { name: `n${i}` }, key: `n${i}` }));
        }),
        fixturePipeline(origin),
      ];
      handlers = createHandlers({ fetcher, store: storage.ingestion, metrics }, definitions);
      api = (await buildApi(config, storage, pino({ level: 'silent' }), handlers, metrics)).app;
      await api.listen({ host: '127.0.0.1', port: 0 });
      apiUrl = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
    });

    afterEach(async () => {
      await Promise.all(workers.splice(0).map((w) => w.stop(2_000)));
    });

    afterAll(async () => {
      await api?.close();
      await fetcher?.close();
      await server?.stop();
      await storage?.jobs.close();
      await database?.drop();
    });

    it('runs the follow-ups a job declares; they show their parent through the API, and a re-run adds none', async () => {
      server.json('/feed/root', { name: 'root', children: ['leaf-a', 'leaf-b'] });
      server.json('/feed/leaf-a', { name: 'leaf-a' });
      server.json('/feed/leaf-b', { name: 'leaf-b', children: ['leaf-a'] });
      await startWorker();
      const rootId = await enqueue('test.feed', 'root', 'req-follow-root');

      const root = await finished(rootId);
      expect(root.job).toMatchObject({ state: 'succeeded', parent_job_id: null, counters: { follow_ups_declared: 2, follow_ups_enqueued: 2 } });
      const leaves = await waitFor('both leaves to succeed', async () => {
        const jobs = (await listed('test.feed')).filter((j) => j.id !== rootId);
        return jobs.length === 2 && jobs.every((j) => j.state === 'succeeded') ? jobs : undefined;
      }, 60_000);
      expect(leaves.map((j) => [j.scope.name, j.parent_job_id, j.correlation_id])).toEqual([
        ['leaf-a', rootId, 'req-follow-root'],
        ['leaf-b', rootId, 'req-follow-root'],
      ]);
      // leaf-b declares leaf-a again: the key is taken, no third leaf.
      const leafB = leaves[1]!;
      expect((await jobView(leafB.id)).job.counters).toMatchObject({ follow_ups_declared: 1, follow_ups_enqueued: 0 });
      expect(server.requestsTo('/feed/leaf-a')).toHaveLength(1);

      // The root again, unchanged: SKIP_NO_CHANGE, and its follow-ups are declared but not enqueued twice.
      const rerun = await finished(await enqueue('test.feed', 'root'));
      expect(rerun.job.counters).toMatchObject({ follow_ups_declared: 2, follow_ups_enqueued: 0 });
      expect(rerun.result?.decision).toBe('SKIP_NO_CHANGE');
      expect(await listed('test.feed')).toHaveLength(4);
      const counted = await samples();
      expect(sample(counted, 'ingest_follow_ups_total', { pipeline: 'test.feed', outcome: 'enqueued' })).toBe(2);
      expect(sample(counted, 'ingest_follow_ups_total', { pipeline: 'test.feed', outcome: 'duplicate' })).toBe(3);
    });

    it('fails a job whose pipeline declares an invalid follow-up, naming it, without retrying and without enqueuing any', async () => {
      server.json('/feed/unknown-pipeline', { name: 'unknown-pipeline' });
      server.json('/feed/bad-scope', { name: 'bad-scope' });
      server.json('/feed/too-many', { name: 'too-many' });
      await startWorker();
      const before = (await listed('test.feed')).length;
      const unknown = await finished(await enqueue('test.bad', 'unknown-pipeline'));
      expect(unknown.job.state).toBe('failed');
      expect(unknown.job.failure).toMatchObject({ code: 'INVALID_FOLLOW_UP', retryable: false });
      expect(unknown.job.failure?.message).toContain('follow-up 0 (test.nowhere, key x)');
      const badScope = await finished(await enqueue('test.bad', 'bad-scope'));
      expect(badScope.job.failure).toMatchObject({ code: 'INVALID_FOLLOW_UP', retryable: false });
      expect(badScope.job.failure?.message).toMatch(/follow-up 1 \(test\.feed, key second\): scope\.name/);
      const tooMany = await finished(await enqueue('test.bad', 'too-many'));
      expect(tooMany.job.failure).toMatchObject({ code: 'TOO_MANY_FOLLOW_UPS', retryable: false });
      expect(tooMany.job.failure?.message).toContain('1001');
      expect(await listed('test.feed')).toHaveLength(before);
    });

    it('sends the previous validators and counts a 304 as not_modified', async () => {
      server.json('/catalog/etagged', { items: [{ id: 1, name: 'one' }] });
      await startWorker();
      const notModified = { host: '127.0.0.1', how: 'not_modified' };
      const before = sample(await samples(), 'ingest_fetch_unchanged_total', notModified);
      const first = await finished(await enqueue('test.catalog', 'etagged'));
      const second = await finished(await enqueue('test.catalog', 'etagged'));
      const [, again] = server.requestsTo('/catalog/etagged');
      expect(again?.headers['if-none-match']).toMatch(/^"/);
      expect(first.job.counters).toMatchObject({ not_modified: 0, identical_bodies: 0 });
      expect(second.job.counters).toMatchObject({ not_modified: 1, identical_bodies: 0 });
      expect(second.result?.decision).toBe('SKIP_NO_CHANGE');
      expect(sample(await samples(), 'ingest_fetch_unchanged_total', notModified)).toBe(before + 1);
    });

    it('stores an identical 200 body once, counts it as identical_bodies, and decides SKIP_NO_CHANGE', async () => {
      const text = JSON.stringify({ items: [{ id: 7, name: 'seven' }] });
      // A source that ignores validators: the same bytes with a 200 every time.
      server.route('/catalog/stubborn', (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json', 'last-modified': 'Tue, 01 Dec 2026 10:00:00 GMT' }).end(text);
      });
      await startWorker();
      const identical = { host: '127.0.0.1', how: 'identical_body' };
      const before = sample(await samples(), 'ingest_fetch_unchanged_total', identical);
      const first = await finished(await enqueue('test.catalog', 'stubborn'));
      const bodiesAfterFirst = await countRows(driver, database.dsn, 'snapshot_bodies');
      const snapshotsAfterFirst = await countRows(driver, database.dsn, 'raw_snapshots');
      const second = await finished(await enqueue('test.catalog', 'stubborn'));
      const [, again] = server.requestsTo('/catalog/stubborn');
      expect(again?.headers['if-modified-since']).toBe('Tue, 01 Dec 2026 10:00:00 GMT');
      expect(first.result?.decision).toBe('PUBLISH_CHANGED');
      expect(second.job.counters).toMatchObject({ not_modified: 0, identical_bodies: 1 });
      expect(second.result?.decision).toBe('SKIP_NO_CHANGE');
      // The response is recorded as a snapshot, its body is not stored again.
      expect(await countRows(driver, database.dsn, 'raw_snapshots')).toBe(snapshotsAfterFirst + 1);
      expect(await countRows(driver, database.dsn, 'snapshot_bodies')).toBe(bodiesAfterFirst);
      expect(sample(await samples(), 'ingest_fetch_unchanged_total', identical)).toBe(before + 1);
    });
  });
}
