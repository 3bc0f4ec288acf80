import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpFetcher } from '../../src/adapters/fetch/http-fetcher.js';
import type { Storage } from '../../src/adapters/storage/shared/storage.js';
import { HandlerRegistry } from '../../src/application/handler-registry.js';
import { createPipelineHandler } from '../../src/application/pipeline-handler.js';
import { Worker } from '../../src/application/worker.js';
import { leaseOf, type JobDetails } from '../../src/core/job.js';
import { envelopeHash } from '../../src/core/content-hashes.js';
import type { NormalizedContent, PipelineDefinition } from '../../src/core/pipeline.js';
import { migrateDatabase, openStorage } from '../../src/platform/storage.js';
import { FixtureServer } from '../support/fixture-server.js';
import { fixturePipeline } from '../support/fixture-pipeline.js';
import { databaseConfig, type TestDatabase } from '../support/test-databases.js';
import { sleep, waitFor } from '../support/wait-for.js';

const FINAL = ['succeeded', 'failed', 'exhausted', 'cancelled'];

/** The ingestion engine end to end: real worker, real fetcher, fixture server on loopback, real database. */
export function describeIngestionContract(driver: 'postgres' | 'sqlite', createDatabase: () => Promise<TestDatabase>): void {
  describe(`ingestion engine (${driver})`, () => {
    let database: TestDatabase;
    let storage: Storage;
    let server: FixtureServer;
    let fetcher: HttpFetcher;
    const workers: Worker[] = [];
    const opened: Storage[] = [];
    let seq = 0;

    const fresh = () => `c${++seq}-${Date.now() % 100000}`;
    const startWorker = async (
      definition: PipelineDefinition,
      overrides: { concurrency?: number; workerId?: string; store?: Storage; fetcher?: HttpFetcher } = {},
    ) => {
      const store = overrides.store ?? storage;
      const worker = new Worker({
        repository: store.jobs,
        handlers: new HandlerRegistry([createPipelineHandler(definition, { fetcher: overrides.fetcher ?? fetcher, store: store.ingestion })]),
        workerId: overrides.workerId ?? `ingest-${workers.length + 1}`,
        concurrency: overrides.concurrency ?? 4,
        leaseMs: 10_000,
        heartbeatIntervalMs: 2_000,
        pollIntervalMs: 50,
        retryPolicy: { baseDelayMs: 50, maxDelayMs: 200 },
        logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
        random: () => 0,
      });
      workers.push(worker);
      await worker.start();
      return worker;
    };
    const stopWorkers = () => Promise.all(workers.splice(0).map((w) => w.stop(2_000)));
    const enqueue = async (pipeline: string, name: string, extra: { params?: Record<string, string>; forceRepublish?: boolean; maxAttempts?: number } = {}) => {
      const [result] = await storage.jobs.enqueueJobs([
        { pipeline, scope: { name }, params: extra.params ?? {}, maxAttempts: extra.maxAttempts ?? 3, forceRepublish: extra.forceRepublish ?? false },
      ]);
      return result!.job.id;
    };
    const finished = (id: string, states = FINAL): Promise<JobDetails> =>
      waitFor(`job ${id} to reach ${states.join('/')}`, async () => {
        const details = await storage.jobs.getJob(id);
        return details !== null && states.includes(details.job.state) ? details : undefined;
      });
    const run = async (pipeline: string, name: string, extra: Parameters<typeof enqueue>[2] = {}) => {
      const id = await enqueue(pipeline, name, extra);
      const details = await finished(id);
      return { id, details, result: await storage.ingestion.getNormalizedResult(id) };
    };
    const catalog = (name: string, items: { id: number; name: string }[], pages = 1) => {
      const per = Math.ceil(items.length / pages);
      for (let p = 0; p < pages; p++) {
        const path = p === 0 ? `/catalog/${name}` : `/catalog/${name}/page-${p + 1}`;
        server.json(path, { items: items.slice(p * per, (p + 1) * per), ...(p + 1 < pages ? { next: `/catalog/${name}/page-${p + 2}` } : {}) });
      }
    };

    beforeAll(async () => {
      database = await createDatabase();
      const config = databaseConfig(driver, database.dsn);
      await migrateDatabase(config);
      storage = openStorage(config);
      server = await new FixtureServer().start();
      fetcher = new HttpFetcher({
        userAgent: 'ingestion-adapter/test (+tests@localhost)',
        connectTimeoutMs: 2_000,
        headersTimeoutMs: 2_000,
        bodyTimeoutMs: 2_000,
        totalTimeoutMs: 30_000,
        maxBodyBytes: 64 * 1024,
        maxRedirects: 3,
        budgetFor: () => ({ requestsPerMinute: 600_000, maxConcurrency: 32 }),
      });
    });

    afterEach(stopWorkers);

    afterAll(async () => {
      await fetcher.close();
      await server.stop();
      await Promise.all(opened.map((s) => s.jobs.close()));
      await storage.jobs.close();
      await database.drop();
    });

    it('publishes v1, skips an unchanged re-run with a 304, publishes v2 on change, v3 on a normalizer change, v4 when forced', async () => {
      const name = fresh();
      const pipeline = fixturePipeline(server.origin);
      catalog(name, [{ id: 2, name: 'Ana' }, { id: 1, name: 'Bruno' }, { id: 3, name: 'Chen' }], 2);
      await startWorker(pipeline);
      const scopeKey = JSON.stringify({ name });

      const first = await run(pipeline.name, name);
      expect(first.details.job.state).toBe('succeeded');
      expect(first.result).toMatchObject({ decision: 'PUBLISH_CHANGED', classification: 'CONTENT_CHANGED', recordCount: 3 });
      const v1 = await storage.ingestion.latestPublication(pipeline.name, scopeKey);
      expect(v1).toMatchObject({ version: 1, supersedes: null, jobId: first.id, classification: 'CONTENT_CHANGED' });
      expect(first.details.job.counters).toMatchObject({ snapshots: 2, records: 3, not_modified: 0 });
      expect(server.requestsTo(`/catalog/${name}`)[0]?.headers['user-agent']).toContain('tests@localhost');

      // Unchanged: the source answers 304, the stored bodies are reused, nothing is published.
      const second = await run(pipeline.name, name);
      expect(second.result).toMatchObject({ decision: 'SKIP_NO_CHANGE', classification: 'NO_CHANGE' });
      expect(server.requestsTo(`/catalog/${name}`).at(-1)?.headers['if-none-match']).toBeDefined();
      const reused = await storage.ingestion.listSnapshots(second.id);
      expect(reused.map((s) => [s.status, s.notModified])).toEqual([[304, true], [304, true]]);
      const originals = await storage.ingestion.listSnapshots(first.id);
      expect(reused.map((s) => s.sha256)).toEqual(originals.map((s) => s.sha256));
      expect((await storage.ingestion.latestPublication(pipeline.name, scopeKey))?.version).toBe(1);

      // Changed source: version 2 supersedes version 1.
      catalog(name, [{ id: 1, name: 'Bruno' }, { id: 2, name: 'Ana Maria' }, { id: 3, name: 'Chen' }], 2);
      const third = await run(pipeline.name, name);
      expect(third.result).toMatchObject({ decision: 'PUBLISH_CHANGED', classification: 'CONTENT_CHANGED' });
      const v2 = await storage.ingestion.latestPublication(pipeline.name, scopeKey);
      expect(v2).toMatchObject({ version: 2, supersedes: v1!.id });
      await stopWorkers();

      // A normalizer change, re-run on the stored snapshots without fetching.
      const requestsBefore = server.requests.length;
      await startWorker(fixturePipeline(server.origin, { normalizerVersion: '2' }));
      const renormalized = await run(pipeline.name, name, { params: { mode: 'renormalize' } });
      expect(renormalized.details.job.state).toBe('succeeded');
      expect(server.requests.length).toBe(requestsBefore);
      expect(renormalized.result).toMatchObject({ decision: 'PUBLISH_CHANGED', classification: 'NORMALIZATION_CHANGED', normalizerVersion: '2' });
      const v3 = await storage.ingestion.latestPublication(pipeline.name, scopeKey);
      expect(v3).toMatchObject({ version: 3, supersedes: v2!.id, sourceSnapshotHash: v2!.sourceSnapshotHash });
      expect(v3!.normalizedHash).not.toBe(v2!.normalizedHash);
      // Re-normalizing again changes nothing.
      const again = await run(pipeline.name, name, { params: { mode: 'renormalize' } });
      expect(again.result?.decision).toBe('SKIP_NO_CHANGE');

      const forced = await run(pipeline.name, name, { forceRepublish: true });
      expect(forced.result).toMatchObject({ decision: 'PUBLISH_FORCED', classification: 'REPUBLISH_FORCED' });
      const v4 = await storage.ingestion.latestPublication(pipeline.name, scopeKey);
      expect(v4).toMatchObject({ version: 4, supersedes: v3!.id, normalizedHash: v3!.normalizedHash });
      expect(v4!.envelope).toMatchObject({ version: 4, supersedes: v3!.id, scope_key: scopeKey, classification: 'REPUBLISH_FORCED' });
      expect(v4!.envelope.published_at).toBeUndefined();
      const history = await storage.ingestion.listPublications({ pipeline: pipeline.name, scopeKey, limit: 10 });
      expect(history.publications.map((p) => p.version)).toEqual([4, 3, 2, 1]);
    });

    it("puts the pipeline's describeChange of the previous publication's content into the envelope and its hash", async () => {
      const name = fresh();
      const seen: (string[] | null)[] = [];
      const names = (content: NormalizedContent | null) => (content === null ? null : content.records.map((r) => String((r as { name: string }).name)));
      const pipeline: PipelineDefinition = {
        ...(fixturePipeline(server.origin, { pipeline: 'test.described' }) as unknown as PipelineDefinition),
        describeChange(previous, next) {
          seen.push(names(previous));
          const before = new Set(names(previous) ?? []);
          return { added: (names(next) ?? []).filter((n) => !before.has(n)), previous_version_records: previous?.records.length ?? null };
        },
      };
      const scopeKey = JSON.stringify({ name });
      catalog(name, [{ id: 1, name: 'Ana' }]);
      await startWorker(pipeline);
      await run(pipeline.name, name);
      const v1 = await storage.ingestion.latestPublication(pipeline.name, scopeKey);
      expect(v1?.envelope.changes).toEqual({ added: ['Ana'], previous_version_records: null });
      expect(v1?.envelopeHash).toBe(envelopeHash(v1!.envelope));

      // Unchanged: nothing published, so nothing described.
      await run(pipeline.name, name);
      catalog(name, [{ id: 1, name: 'Ana' }, { id: 2, name: 'Bruno' }]);
      await run(pipeline.name, name);
      const v2 = await storage.ingestion.latestPublication(pipeline.name, scopeKey);
      expect(v2).toMatchObject({ version: 2 });
      expect(v2?.envelope.changes).toEqual({ added: ['Bruno'], previous_version_records: 1 });
      expect(v2?.envelopeHash).toBe(envelopeHash(v2!.envelope));
      expect(seen).toEqual([null, ['Ana']]);
    });

    it('waits out a 429 for at least its Retry-After, then succeeds', async () => {
      const name = fresh();
      const pipeline = fixturePipeline(server.origin);
      server.route(`/catalog/${name}`, (_request, response, hits) => {
        if (hits === 1) response.writeHead(429, { 'retry-after': '1', 'content-type': 'text/plain' }).end('slow down');
        else response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: [{ id: 1, name: 'A' }] }));
      });
      await startWorker(pipeline);
      const { details } = await run(pipeline.name, name);
      expect(details.job.state).toBe('succeeded');
      expect(details.attempts.map((a) => a.failure?.code ?? a.outcome)).toEqual(['HTTP_429', 'succeeded']);
      expect(details.attempts[1]!.startedAt.getTime() - details.attempts[0]!.finishedAt!.getTime()).toBeGreaterThanOrEqual(1_000);
    });

    const ownFetcher = (requestsPerMinute: number) =>
      new HttpFetcher({
        userAgent: 'ingestion-adapter/test (+tests@localhost)',
        connectTimeoutMs: 2_000,
        headersTimeoutMs: 5_000,
        bodyTimeoutMs: 5_000,
        totalTimeoutMs: 30_000,
        maxBodyBytes: 64 * 1024,
        maxRedirects: 3,
        budgetFor: () => ({ requestsPerMinute, maxConcurrency: 4 }),
      });

    it('does not sleep through a host paused an hour by a 429: another job fails fast, retryable, due after the pause', async () => {
      const limited = fresh();
      const other = fresh();
      const pipeline = { ...fixturePipeline(server.origin), timeoutMs: 60_000 };
      server.route(`/catalog/${limited}`, (_request, response) =>
        response.writeHead(429, { 'retry-after': '3600', 'content-type': 'text/plain' }).end('slow down'),
      );
      catalog(other, [{ id: 1, name: 'A' }]);
      // Its own fetcher: the pause is per host, and this one holds the loopback host for an hour.
      const paused = ownFetcher(600_000);
      try {
        await startWorker(pipeline, { fetcher: paused });
        const first = await enqueue(pipeline.name, limited, { maxAttempts: 5 });
        const pausedAt = Date.now();
        const limitedJob = await waitFor('the 429 to be settled', async () => {
          const details = await storage.jobs.getJob(first);
          return details?.attempts[0]?.failure?.code === 'HTTP_429' && details.job.state === 'pending' ? details : undefined;
        });
        expect(limitedJob.job.nextRetryAt.getTime()).toBeGreaterThanOrEqual(pausedAt + 3_600_000 - 60_000);

        const second = await enqueue(pipeline.name, other, { maxAttempts: 5 });
        const details = await waitFor('the second job to be turned away', async () => {
          const found = await storage.jobs.getJob(second);
          return found !== null && found.attempts[0]?.finishedAt != null ? found : undefined;
        });
        expect(details.job.state).toBe('pending');
        expect(details.attempts.map((a) => a.failure?.code)).toEqual(['HOST_PAUSED']);
        expect(details.job.failure).toMatchObject({ category: 'http_status', code: 'HOST_PAUSED', retryable: true });
        // Due again when the pause is over, not after the few-seconds backoff.
        expect(details.job.nextRetryAt.getTime()).toBeGreaterThanOrEqual(pausedAt + 3_600_000 - 60_000);
        expect(server.requestsTo(`/catalog/${other}`)).toHaveLength(0);
      } finally {
        await stopWorkers();
        await paused.close();
      }
    });

    it('does not charge the wait for the host\'s turn to the run time bound', async () => {
      const name = fresh();
      // Two pages, one start every 6 s: the second request waits about 6 s for its turn, twice the bound.
      const pipeline = { ...fixturePipeline(server.origin), timeoutMs: 3_000 };
      catalog(name, [{ id: 1, name: 'A' }, { id: 2, name: 'B' }], 2);
      const slow = ownFetcher(10);
      try {
        await startWorker(pipeline, { fetcher: slow });
        const { details } = await run(pipeline.name, name, { maxAttempts: 1 });
        expect(details.attempts.map((a) => a.failure?.code ?? a.outcome)).toEqual(['succeeded']);
        expect(details.job.counters).toMatchObject({ snapshots: 2, records: 2 });
      } finally {
        await stopWorkers();
        await slow.close();
      }
    });

    it('retries a 500 and succeeds; fails a 404 at once, keeping the snapshot', async () => {
      const flaky = fresh();
      const missing = fresh();
      const pipeline = fixturePipeline(server.origin);
      server.route(`/catalog/${flaky}`, (_request, response, hits) => {
        if (hits === 1) response.writeHead(500, { 'content-type': 'text/plain' }).end('upstream exploded');
        else response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: [] }));
      });
      await startWorker(pipeline);
      const retried = await run(pipeline.name, flaky);
      expect(retried.details.job.state).toBe('succeeded');
      expect(retried.details.attempts.map((a) => a.failure?.code ?? 'ok')).toEqual(['HTTP_500', 'ok']);

      const gone = await run(pipeline.name, missing);
      expect(gone.details.job).toMatchObject({ state: 'failed', attemptCount: 1, failure: { category: 'http_status', code: 'HTTP_404', retryable: false } });
      const kept = await storage.ingestion.listSnapshots(gone.id);
      expect(kept.map((s) => s.status)).toEqual([404]);
      expect(Buffer.from((await storage.ingestion.loadBody(kept[0]!.sha256))!).toString()).toBe('no fixture here');
      expect(gone.result).toBeNull();
    });

    it('classifies a challenge page as blocked, retried much later, with the page kept', async () => {
      const name = fresh();
      const pipeline = fixturePipeline(server.origin);
      server.route(`/catalog/${name}`, (_request, response) => {
        response
          .writeHead(403, { 'content-type': 'text/html; charset=UTF-8' })
          .end('<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>');
      });
      await startWorker(pipeline);
      const id = await enqueue(pipeline.name, name);
      const details = await finished(id, ['pending', ...FINAL]).then(async (d) =>
        d.attempts.length > 0 && d.attempts[0]!.finishedAt !== null ? d : finished(id, ['pending']),
      );
      await waitFor('the attempt to close', async () => ((await storage.jobs.getJob(id))?.attempts[0]?.finishedAt ? true : undefined));
      const job = (await storage.jobs.getJob(id))!;
      expect(job.job).toMatchObject({ state: 'pending', failure: { category: 'blocked', code: 'CHALLENGE_PAGE', retryable: true } });
      expect(job.job.nextRetryAt.getTime() - job.attempts[0]!.finishedAt!.getTime()).toBeGreaterThanOrEqual(15 * 60 * 1000);
      expect((await storage.ingestion.listSnapshots(id)).map((s) => s.status)).toEqual([403]);
      expect(details.job.id).toBe(id);
      await storage.jobs.cancelJob(id);
    });

    it('fails an oversized body and a redirect to a foreign host with clear messages', async () => {
      const big = fresh();
      const redirected = fresh();
      const pipeline = fixturePipeline(server.origin);
      server.route(`/catalog/${big}`, (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: [], pad: 'x'.repeat(100_000) }));
      });
      // Same machine, different host name: not on the allowlist, so never requested.
      server.route(`/catalog/${redirected}`, (_request, response) => {
        response.writeHead(302, { location: `${server.origin.replace('127.0.0.1', 'localhost')}/catalog/elsewhere` }).end();
      });
      await startWorker(pipeline);
      const tooBig = await run(pipeline.name, big);
      expect(tooBig.details.job).toMatchObject({ state: 'failed', failure: { category: 'validation', code: 'RESPONSE_TOO_LARGE', retryable: false } });
      expect(tooBig.details.job.failure?.message).toMatch(/larger than the 65536-byte limit/);
      const refused = await run(pipeline.name, redirected);
      expect(refused.details.job).toMatchObject({ state: 'failed', failure: { category: 'validation', code: 'REDIRECT_NOT_ALLOWED' } });
      expect(refused.details.job.failure?.message).toContain('localhost');
      expect(server.requestsTo('/catalog/elsewhere')).toEqual([]);
    });

    it('cuts off a trickling source at the total deadline: a retryable timeout, the bytes so far kept as a truncated snapshot', async () => {
      const name = fresh();
      const pipeline = fixturePipeline(server.origin);
      server.route(`/catalog/${name}`, (_request, response, hits) => {
        if (hits > 1) {
          response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: [{ id: 1, name: 'Whole' }] }));
          return;
        }
        // One byte every 200 ms: the idle timeout never fires, only the total deadline can end it.
        response.writeHead(200, { 'content-type': 'application/json', etag: '"cut-short"' });
        response.write('{"items":[');
        const timer = setInterval(() => response.write(' '), 200);
        response.on('close', () => clearInterval(timer));
      });
      const impatient = new HttpFetcher({
        userAgent: 'ingestion-adapter/test (+tests@localhost)',
        connectTimeoutMs: 1_000,
        headersTimeoutMs: 30_000,
        bodyTimeoutMs: 30_000,
        totalTimeoutMs: 1_000,
        maxBodyBytes: 64 * 1024,
        maxRedirects: 3,
        budgetFor: () => ({ requestsPerMinute: 600_000, maxConcurrency: 32 }),
      });
      try {
        await startWorker(pipeline, { fetcher: impatient });
        const { id, details } = await run(pipeline.name, name, { maxAttempts: 2 });
        expect(details.job.state).toBe('succeeded');
        const [cut] = details.attempts;
        expect(cut?.failure).toMatchObject({ category: 'timeout', code: 'FETCH_DEADLINE_EXCEEDED', retryable: true });
        expect(cut?.failure?.message).toMatch(/bytes received are kept as truncated snapshot \d+/);
        const snapshots = await storage.ingestion.listSnapshots(id);
        expect(snapshots.map((s) => [s.attemptNumber, s.status, s.truncated])).toEqual([[1, 200, true], [2, 200, false]]);
        expect(snapshots[0]).toMatchObject({ etag: '"cut-short"', contentType: 'application/json' });
        expect(Buffer.from((await storage.ingestion.loadBody(snapshots[0]!.sha256))!).toString()).toMatch(/^\{"items":\[ *$/);
        // A cut-off body never supplies validators: the retry asked unconditionally.
        expect(server.requestsTo(`/catalog/${name}`).map((r) => r.headers['if-none-match'])).toEqual([undefined, undefined]);
      } finally {
        await stopWorkers();
        await impatient.close();
      }
    });

    it('fails a page V8 cannot parse, whose error quotes a NUL byte, after one run with the byte replaced', async () => {
      const name = fresh();
      const base = fixturePipeline(server.origin, { pipeline: 'test.catalog-unguarded' });
      // A parser that lets JSON.parse's own error through, as a pipeline step with a bug would.
      const pipeline: PipelineDefinition<{ name: string }> = {
        ...base,
        planRequests: (input) => (input.fetched.length === 0 ? base.planRequests(input) : []),
        parse: ({ fetched }) => fetched.map((page) => JSON.parse(Buffer.from(page.body).toString('utf8')) as unknown),
      };
      server.route(`/catalog/${name}`, (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' }).end('<html>\u0000</html>');
      });
      await startWorker(pipeline);
      const { details } = await run(pipeline.name, name);
      expect(details.job).toMatchObject({ state: 'failed', attemptCount: 1, interruptions: 0, failure: { category: 'parse', code: 'PARSE_FAILED' } });
      expect(details.job.failure?.message).toContain('"<html>\uFFFD</html>" is not valid JSON');
      expect(server.requestsTo(`/catalog/${name}`)).toHaveLength(1);
    });

    it('fails, as a validation error, a normalized payload with a "\\u0000" escape from the source: one run, nothing published', async () => {
      const name = fresh();
      const pipeline = fixturePipeline(server.origin);
      catalog(name, [{ id: 1, name: 'Ana\u0000' }]);
      await startWorker(pipeline);
      const { details, result } = await run(pipeline.name, name);
      expect(details.job).toMatchObject({
        state: 'failed',
        attemptCount: 1,
        interruptions: 0,
        failure: { category: 'validation', code: 'UNSTORABLE_CONTENT', retryable: false },
      });
      expect(details.job.failure?.message).toContain('at payload.records.0.name');
      expect(result).toBeNull();
      expect(await storage.ingestion.latestPublication(pipeline.name, JSON.stringify({ name }))).toBeNull();
      expect(server.requestsTo(`/catalog/${name}`)).toHaveLength(1);
    });

    it('publishes once per distinct content when 20 jobs of one scope run at once', async () => {
      const name = fresh();
      const pipeline = fixturePipeline(server.origin);
      catalog(name, [{ id: 1, name: 'Same' }]);
      const second = openStorage(databaseConfig(driver, database.dsn));
      opened.push(second);
      await startWorker(pipeline, { concurrency: 10 });
      await startWorker(pipeline, { concurrency: 10, store: second });
      const scopeKey = JSON.stringify({ name });
      for (const round of [1, 2]) {
        if (round === 2) catalog(name, [{ id: 1, name: 'Changed' }]);
        const ids = await storage.jobs.enqueueJobs(Array.from({ length: 20 }, () => ({ pipeline: pipeline.name, scope: { name }, maxAttempts: 3 })));
        const results = await Promise.all(ids.map(async (r) => (await finished(r.job.id), storage.ingestion.getNormalizedResult(r.job.id))));
        expect(results.filter((r) => r?.decision === 'PUBLISH_CHANGED')).toHaveLength(1);
        expect(results.filter((r) => r?.decision === 'SKIP_NO_CHANGE')).toHaveLength(19);
        expect((await storage.ingestion.latestPublication(pipeline.name, scopeKey))?.version).toBe(round);
      }
    });

    it("rejects a zombie worker's settle: nothing recorded, nothing published", async () => {
      const name = fresh();
      const pipeline = fixturePipeline(server.origin);
      catalog(name, [{ id: 7, name: 'Real' }]);
      const id = await enqueue(pipeline.name, name);
      const [zombie] = await storage.jobs.claimJobs({ workerId: 'zombie', limit: 1, leaseMs: 200 });
      expect(zombie?.id).toBe(id);
      await sleep(300);
      await startWorker(pipeline);
      const done = await finished(id);
      expect(done.job.state).toBe('succeeded');
      const scopeKey = JSON.stringify({ name });
      const before = await storage.ingestion.latestPublication(pipeline.name, scopeKey);

      const late = await storage.jobs.completeJob(leaseOf(zombie!), {
        ingestion: {
          scope: { name },
          sourceSnapshotIds: [],
          sourceSnapshotHash: 'f'.repeat(64),
          normalizedHash: 'e'.repeat(64),
          parserVersion: '1',
          normalizerVersion: '1',
          payload: { records: [{ id: 7, name: 'Stale' }] },
          forced: false,
        },
      });
      expect(late).toEqual({ applied: false, reason: 'lease_lost' });
      expect(await storage.ingestion.latestPublication(pipeline.name, scopeKey)).toEqual(before);
      expect((await storage.ingestion.getNormalizedResult(id))?.normalizedHash).toBe(before?.normalizedHash);
    });
  });
}
