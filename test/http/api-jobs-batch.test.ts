import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOBS_AVAILABLE_CHANNEL } from '../../src/adapters/storage/postgres/notification-listener.js';
import { HandlerRegistry } from '../../src/application/handler-registry.js';
import { systemNoopHandler } from '../../src/application/pipelines/system-noop.js';
import { Worker } from '../../src/application/worker.js';
import { sleep, waitFor } from '../support/wait-for.js';
import { auth, startApiHarness, type ApiHarness, type Dialect } from './api-harness.js';

interface JobBody {
  id: string;
  state: string;
  scope: Record<string, unknown>;
  correlation_id: string | null;
  idempotency_key: string | null;
  created_at: string;
}

interface BatchResult {
  index: number;
  status: number;
  job?: JobBody;
  problem?: { status: number; title: string; detail: string; errors?: { field: string; message: string }[] };
}

const BATCH = '/internal/v1/jobs/batch';
const noop = (label: unknown, extra: Record<string, unknown> = {}) => ({ pipeline: 'system.noop', scope: { label }, ...extra });

describe.each<Dialect>(['sqlite', 'postgres'])('POST /jobs/batch on %s', (dialect) => {
  let api: ApiHarness;
  beforeAll(async () => {
    // A single-job limit far below a batch of 1,000, and a batch limit that 1,000 short jobs fit.
    api = await startApiHarness({ HTTP_BODY_LIMIT_BYTES: '4096', HTTP_BATCH_BODY_LIMIT_BYTES: '200000' }, [], dialect);
  });
  afterAll(() => api.close());

  const postBatch = (payload: unknown, headers: Record<string, string> = {}) =>
    api.app.inject({
      method: 'POST',
      url: BATCH,
      headers: { ...auth, 'content-type': 'application/json', ...headers },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
  const results = (response: { json: <T>() => T }) => response.json<{ results: BatchResult[] }>().results;
  const jobCount = async () => {
    let count = 0;
    let cursor: string | undefined;
    do {
      const page = await api.repository.listJobs({ filter: {}, limit: 200, ...(cursor === undefined ? {} : { cursor }) });
      count += page.jobs.length;
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return count;
  };

  it('answers each job in order: created, refused by its own problem, replayed, conflicting; stores only the valid ones', async () => {
    const earlier = await api.app.inject({ method: 'POST', url: '/internal/v1/jobs', headers: { ...auth, 'idempotency-key': 'mixed-old' }, payload: noop('old') });
    expect(earlier.statusCode).toBe(201);
    const oldId = earlier.json<{ job: JobBody }>().job.id;
    const before = await jobCount();

    const response = await postBatch(
      {
        jobs: [
          noop('new-0', { idempotency_key: 'mixed-new' }),
          noop(7),
          noop('a\u0000b', { correlation_id: 'c\u0000d' }),
          noop('old', { idempotency_key: 'mixed-old' }),
          noop('other', { idempotency_key: 'mixed-old' }),
          noop('new-0', { idempotency_key: 'mixed-new' }),
          noop('new-0', { params: { sleep_ms: 1 }, idempotency_key: 'mixed-new' }),
          { pipeline: 'nowhere.nothing', scope: {} },
          noop('colourful', { colour: 'red' }),
          noop('too early', { run_at: '0000-12-31T00:00:00Z' }),
          { pipeline: 'system.noop', scope: JSON.parse(`${'{"a":'.repeat(40)}1${'}'.repeat(40)}`) as unknown },
          'not a job',
          noop('plain', { priority: 5 }),
        ],
      },
      { 'x-request-id': 'batch-req-1' },
    );
    expect(response.statusCode).toBe(200);
    const answered = results(response);
    expect(answered.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(answered.map((r) => r.status)).toEqual([201, 400, 400, 200, 409, 200, 409, 400, 400, 400, 400, 400, 201]);

    const fields = (i: number) => answered[i]?.problem?.errors?.map((e) => e.field) ?? [];
    expect(fields(1)).toEqual(['body.jobs.1.scope.label']);
    expect(fields(2).sort()).toEqual(['body.jobs.2.correlation_id', 'body.jobs.2.scope.label']);
    expect(answered[2]?.problem?.errors?.[0]?.message).toMatch(/NUL/);
    expect(fields(7)).toEqual(['body.jobs.7.pipeline']);
    expect(fields(8)).toEqual(['body.jobs.8']);
    expect(answered[8]?.problem?.errors?.[0]?.message).toContain('colour');
    expect(fields(9)).toEqual(['body.jobs.9.run_at']);
    expect(fields(10)).toHaveLength(1);
    expect(fields(10)[0]).toMatch(/^body\.jobs\.10\.scope\./);
    expect(fields(11)).toEqual(['body.jobs.11']);
    for (const i of [1, 2, 7, 8, 9, 10, 11]) expect(answered[i]?.problem).toMatchObject({ status: 400, title: 'Bad Request' });

    // Replays return the job the key first made, whether stored earlier or earlier in this batch.
    const created = answered[0]?.job;
    expect(created).toMatchObject({ state: 'pending', scope: { label: 'new-0' }, idempotency_key: 'mixed-new', correlation_id: 'batch-req-1' });
    expect(answered[3]?.job?.id).toBe(oldId);
    expect(answered[5]?.job?.id).toBe(created?.id);
    expect(answered[4]?.problem).toMatchObject({ status: 409, title: 'Conflict' });
    expect(answered[4]?.problem?.detail).toContain(`job ${oldId}`);
    expect(answered[6]?.problem?.detail).toContain(`job ${created?.id ?? '?'}`);
    expect(answered[12]?.job).toMatchObject({ scope: { label: 'plain' }, idempotency_key: null });

    expect(await jobCount()).toBe(before + 2);
    for (const id of [created?.id, answered[12]?.job?.id]) {
      const shown = await api.app.inject({ method: 'GET', url: `/internal/v1/jobs/${id ?? '?'}`, headers: auth });
      expect(shown.json()).toMatchObject({ job: { id, state: 'pending' }, transitions: [{ from_state: null, to_state: 'pending', reason: 'enqueued' }] });
    }
  });

  it('accepts 1,000 jobs in one request and one transaction, and refuses 1,001 whole', async () => {
    const jobs = (n: number, tag: string) => Array.from({ length: n }, (_, i) => noop(`${tag}-${i}`, { idempotency_key: `${tag}-key-${i}` }));
    const before = await jobCount();
    const tooMany = await postBatch({ jobs: jobs(1001, 'over') });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(tooMany.json()).toMatchObject({ errors: [{ field: 'body.jobs', message: expect.stringContaining('at most 1000') as unknown }] });
    expect(await jobCount()).toBe(before);

    const body = JSON.stringify({ jobs: jobs(1000, 'full') });
    expect(body.length).toBeGreaterThan(4096 * 10);
    const full = await postBatch(body);
    expect(full.statusCode).toBe(200);
    const answered = results(full);
    expect(answered).toHaveLength(1000);
    answered.forEach((result, i) => {
      expect(result).toMatchObject({ index: i, status: 201, job: { scope: { label: `full-${i}` }, idempotency_key: `full-key-${i}` } });
    });
    expect(new Set(answered.map((r) => r.job?.id)).size).toBe(1000);
    // Both databases give every row of one transaction the same clock reading.
    expect(new Set(answered.map((r) => r.job?.created_at)).size).toBe(1);
    expect(await jobCount()).toBe(before + 1000);

    // The same batch again replays every job and stores nothing.
    const again = await postBatch(body);
    expect(results(again).map((r) => r.status)).toEqual(Array.from({ length: 1000 }, () => 200));
    expect(results(again).map((r) => r.job?.id)).toEqual(answered.map((r) => r.job?.id));
    expect(await jobCount()).toBe(before + 1000);
  });

  it('stores nothing from a batch whose every job is refused, and still answers each', async () => {
    const before = await jobCount();
    const response = await postBatch({ jobs: [noop(1), noop('x', { max_attempts: 0 }), noop('\ud800'), {}] });
    expect(response.statusCode).toBe(200);
    expect(results(response).map((r) => [r.status, r.problem?.errors?.[0]?.field])).toEqual([
      [400, 'body.jobs.0.scope.label'],
      [400, 'body.jobs.1.max_attempts'],
      [400, 'body.jobs.2.scope.label'],
      [400, 'body.jobs.3.pipeline'],
    ]);
    expect(await jobCount()).toBe(before);
  });

  const refusals: [string, string, Record<string, string>, number, string | undefined][] = [
    ['an array body', '[]', {}, 400, 'body'],
    ['jobs missing', '{}', {}, 400, 'body.jobs'],
    ['no jobs', '{"jobs":[]}', {}, 400, 'body.jobs'],
    ['jobs not an array', '{"jobs":{"0":{}}}', {}, 400, 'body.jobs'],
    ['an unknown top-level field', JSON.stringify({ jobs: [noop('x')], atomic: true }), {}, 400, 'body'],
    ['an Idempotency-Key header', JSON.stringify({ jobs: [noop('x')] }), { 'idempotency-key': 'whole-batch' }, 400, 'headers.idempotency-key'],
    ['a body above the batch limit', JSON.stringify({ jobs: [noop('x', { params: { filler: 'y'.repeat(210_000) } })] }), {}, 413, undefined],
    ['malformed JSON', '{"jobs":[', {}, 400, 'body'],
    ['text instead of JSON', JSON.stringify({ jobs: [noop('x')] }), { 'content-type': 'text/plain' }, 415, undefined],
  ];
  it.each(refusals)('refuses the whole request, storing nothing, for %s', async (_name, payload, headers, status, field) => {
    const before = await jobCount();
    const response = await postBatch(payload, headers);
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    if (field !== undefined) expect(response.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toContain(field);
    expect(await jobCount()).toBe(before);
  });

  it('wakes the workers once for the whole batch', async () => {
    const jobs = Array.from({ length: 200 }, (_, i) => noop(`wake-${i}`));
    if (api.config.database.driver === 'postgres') {
      // A LISTEN of our own; our NOTIFY after the batch arrives after every notification it made.
      const client = new pg.Client({ connectionString: api.config.database.dsn });
      await client.connect();
      try {
        const payloads: string[] = [];
        client.on('notification', (message) => payloads.push(message.payload ?? ''));
        await client.query(`LISTEN ${JOBS_AVAILABLE_CHANNEL}`);
        expect((await postBatch({ jobs })).statusCode).toBe(200);
        await client.query(`NOTIFY ${JOBS_AVAILABLE_CHANNEL}, 'barrier'`);
        await waitFor('the barrier notification', () => payloads.includes('barrier'));
        expect(payloads).toEqual(['', 'barrier']);
      } finally {
        await client.end();
      }
    } else {
      let wakeups = 0;
      const unsubscribe = await api.repository.onJobsAvailable(() => wakeups++);
      try {
        expect((await postBatch({ jobs })).statusCode).toBe(200);
        await waitFor('a wake-up', () => wakeups > 0);
        await sleep(100);
        expect(wakeups).toBe(1);
      } finally {
        await unsubscribe();
      }
    }
  });

  it('enqueues jobs a worker claims and runs to success', async () => {
    const response = await postBatch({ jobs: Array.from({ length: 30 }, (_, i) => noop(`run-${i}`, { params: { sleep_ms: 1 } })) });
    const ids = results(response).map((r) => r.job?.id ?? '?');
    expect(ids).toHaveLength(30);
    const worker = new Worker({
      repository: api.repository,
      handlers: new HandlerRegistry([systemNoopHandler]),
      workerId: `batch-test-${dialect}`,
      concurrency: 8,
      leaseMs: 30_000,
      heartbeatIntervalMs: 5_000,
      pollIntervalMs: 100,
      retryPolicy: { baseDelayMs: 50, maxDelayMs: 1_000 },
      logger: pino({ level: 'silent' }),
    });
    await worker.start();
    try {
      await waitFor(
        'every job of the batch to succeed',
        async () => {
          const states = await Promise.all(ids.map(async (id) => (await api.repository.getJob(id))?.job.state));
          return states.every((state) => state === 'succeeded');
        },
        60_000,
      );
    } finally {
      await worker.stop(5_000);
    }
    const details = await api.repository.getJob(ids[0] ?? '?');
    expect(details?.attempts.map((attempt) => attempt.outcome)).toEqual(['succeeded']);
  });

  it('is described in the API document', async () => {
    const document = (await api.app.inject({ method: 'GET', url: '/internal/v1/openapi.json' })).json<{
      paths: Record<string, Record<string, { summary?: string; responses: Record<string, { content: Record<string, unknown> }> }>>;
    }>();
    const operation = document.paths['/internal/v1/jobs/batch']?.post;
    expect(operation?.summary).toBe('Enqueue many ingestion jobs at once');
    expect(Object.keys(operation?.responses ?? {}).sort()).toEqual(['200', '400', '401', '413', '415']);
    expect(Object.keys(operation?.responses['200']?.content ?? {})).toEqual(['application/json']);
    expect(Object.keys(operation?.responses['400']?.content ?? {})).toEqual(['application/problem+json']);
  });
});
