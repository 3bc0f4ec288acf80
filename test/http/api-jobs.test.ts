import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runApp } from '../support/run-app.js';
import { auth, startApiHarness, TOKEN, type ApiHarness } from './api-harness.js';

interface JobBody {
  id: string;
  state: string;
  scope: Record<string, unknown>;
  params: Record<string, unknown>;
  priority: number;
  max_attempts: number;
  correlation_id: string | null;
  idempotency_key: string | null;
}

describe('the jobs API', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApiHarness();
  });
  afterAll(() => api.close());

  const post = (url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    api.app.inject({ method: 'POST', url, headers: { ...auth, ...headers }, ...(payload === undefined ? {} : { payload: payload as object }) });
  const get = (url: string, headers: Record<string, string> = {}) => api.app.inject({ method: 'GET', url, headers: { ...auth, ...headers } });

  it('enqueues a job (201, Location) with defaults filled in, and shows it with its history', async () => {
    const created = await post('/internal/v1/jobs', { pipeline: 'system.noop', scope: { label: 'a' }, priority: 3 }, { 'x-request-id': 'req-abc.1' });
    expect(created.statusCode).toBe(201);
    const { job } = created.json<{ job: JobBody }>();
    expect(created.headers.location).toBe(`/internal/v1/jobs/${job.id}`);
    expect(created.headers['x-request-id']).toBe('req-abc.1');
    expect(job).toMatchObject({ state: 'pending', scope: { label: 'a' }, params: {}, priority: 3, max_attempts: 3, correlation_id: 'req-abc.1' });

    const shown = await get(`/internal/v1/jobs/${job.id}`);
    expect(shown.statusCode).toBe(200);
    expect(shown.json()).toMatchObject({ job: { id: job.id }, attempts: [], transitions: [{ from_state: null, to_state: 'pending', reason: 'enqueued' }] });
  });

  it('replays a request with the same Idempotency-Key (200) and refuses a different body under it (409)', async () => {
    const request = { pipeline: 'system.noop', scope: { label: 'idem' }, params: { sleep_ms: 5 } };
    const first = await post('/internal/v1/jobs', request, { 'idempotency-key': 'order-42' });
    const again = await post('/internal/v1/jobs', { ...request, max_attempts: 3 }, { 'idempotency-key': 'order-42' });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json<{ job: JobBody }>().job.id).toBe(first.json<{ job: JobBody }>().job.id);

    const before = (await api.repository.listJobs({ filter: {}, limit: 200 })).jobs.length;
    const different = await post('/internal/v1/jobs', { ...request, scope: { label: 'other' } }, { 'idempotency-key': 'order-42' });
    expect(different.statusCode).toBe(409);
    expect(different.headers['content-type']).toMatch(/problem\+json/);
    expect(different.json<{ detail: string }>().detail).toContain(first.json<{ job: JobBody }>().job.id);
    expect((await api.repository.listJobs({ filter: {}, limit: 200 })).jobs.length).toBe(before);
  });

  it('lists with filters and a cursor, newest first', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await post('/internal/v1/jobs', { pipeline: 'system.noop', scope: { label: `page-${i}` } })).json<{ job: JobBody }>().job.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await get(`/internal/v1/jobs?pipeline=system.noop&state=pending,running&limit=2${cursor === null ? '' : `&cursor=${cursor}`}`);
      expect(response.statusCode).toBe(200);
      const page = response.json<{ jobs: JobBody[]; next_cursor: string | null }>();
      seen.push(...page.jobs.map((j) => j.id));
      cursor = page.next_cursor;
    } while (cursor !== null);
    expect(seen.slice(0, 5)).toEqual([...ids].reverse());
    const byScope = await get(`/internal/v1/jobs?scope_key=${encodeURIComponent('{"label":"page-2"}')}`);
    expect(byScope.json<{ jobs: JobBody[] }>().jobs.map((j) => j.id)).toEqual([ids[2]]);
  });

  it('cancels a pending job, retries it, and refuses what cannot be done with 404 and 409', async () => {
    const runAt = new Date(Date.now() + 3_600_000).toISOString();
    const job = (await post('/internal/v1/jobs', { pipeline: 'system.noop', scope: { label: 'later' }, run_at: runAt })).json<{ job: JobBody }>().job;
    const cancelled = await post(`/internal/v1/jobs/${job.id}/cancel`);
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({ effect: 'cancelled', job: { state: 'cancelled', failure: { category: 'cancelled' } } });
    expect((await post(`/internal/v1/jobs/${job.id}/cancel`)).statusCode).toBe(409);
    const retried = await post(`/internal/v1/jobs/${job.id}/retry`);
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toEqual({ job: expect.objectContaining({ id: job.id, state: 'pending', spent_attempts: 0 }) as unknown });
    const conflict = await post(`/internal/v1/jobs/${job.id}/retry`);
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json<{ detail: string }>().detail).toMatch(/is pending/);
    expect((await post('/internal/v1/jobs/55555555/cancel')).statusCode).toBe(404);
    expect((await post('/internal/v1/jobs/55555555/retry')).statusCode).toBe(404);
  });

  it('keeps health open, and reports not ready while draining', async () => {
    expect((await api.app.inject({ method: 'GET', url: '/internal/v1/health/live' })).json()).toEqual({ status: 'live' });
    const ready = await api.app.inject({ method: 'GET', url: '/internal/v1/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok' } });
  });

  it('sends no CORS headers, even to a browser preflight', async () => {
    const preflight = await api.app.inject({
      method: 'OPTIONS',
      url: '/internal/v1/jobs',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const read = await get('/internal/v1/jobs', { origin: 'https://evil.example' });
    expect(read.statusCode).toBe(200);
    expect(read.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('generates a request id when none (or a malformed one) is given, and logs it without the token', async () => {
    const response = await get('/internal/v1/jobs?limit=1', { 'x-request-id': 'bad id with spaces' });
    const id = response.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const lines = api.logs.filter((line) => line.request_id === id);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(api.rawLogs.join('\n')).not.toContain(TOKEN);
  });

  it('describes itself: OpenAPI from the same schemas, and a docs page', async () => {
    const openapi = await api.app.inject({ method: 'GET', url: '/internal/v1/openapi.json' });
    expect(openapi.statusCode).toBe(200);
    const doc = openapi.json<{ openapi: string; paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } }>();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/internal/v1/jobs', '/internal/v1/jobs/{id}', '/internal/v1/jobs/{id}/cancel', '/internal/v1/jobs/{id}/retry', '/internal/v1/health/ready']),
    );
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['Job', 'JobResponse', 'JobWithResult', 'Problem']));
    // The limits the validation enforces are stated in the document.
    const post = doc.paths['/internal/v1/jobs']?.post as { requestBody: { content: Record<string, { schema: { oneOf: unknown[] } }> } };
    const enqueue = post.requestBody.content['application/json']?.schema.oneOf[0] as { properties: Record<string, { description?: string }> };
    expect(enqueue.properties.run_at?.description).toMatch(/0001 and 9999/);
    expect(enqueue.properties.scope?.description).toMatch(/at most 32 levels.*U\+0000/);
    const docs = await api.app.inject({ method: 'GET', url: '/internal/v1/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toMatch(/text\/html/);
  });

  it('answers a storage failure with a 500 problem and no internals', async () => {
    const broken = await startApiHarness();
    await broken.repository.close();
    const response = await broken.app.inject({ method: 'GET', url: '/internal/v1/jobs', headers: auth });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toMatchObject({ status: 500, detail: 'the service failed to answer; the error was logged' });
    expect(response.body).not.toMatch(/sqlite|\.ts:|stack/i);
    await broken.app.close();
  });
});

describe('the API over a real loopback connection', () => {
  let api: ApiHarness;
  let base: string;
  beforeAll(async () => {
    api = await startApiHarness();
    base = await api.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => api.close());

  it('serves requests, refuses an oversized body and turns unready while draining', async () => {
    const created = await fetch(`${base}/internal/v1/jobs`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ pipeline: 'system.noop', scope: { label: 'over-the-wire' } }),
    });
    expect(created.status).toBe(201);
    const tooBig = await fetch(`${base}/internal/v1/jobs`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ pipeline: 'system.noop', scope: {}, params: { pad: 'z'.repeat(100_000) } }),
    });
    expect(tooBig.status).toBe(413);
    expect(tooBig.headers.get('content-type')).toMatch(/problem\+json/);
    const unauthorized = await fetch(`${base}/internal/v1/jobs`);
    expect(unauthorized.status).toBe(401);

    api.setDraining();
    const ready = await fetch(`${base}/internal/v1/health/ready`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { detail: string }).detail).toMatch(/draining/);
  });
});

describe('insecure mode', () => {
  it('accepts requests without a token only when chosen, and warns at start', async () => {
    const api = await startApiHarness({ INTERNAL_AUTH_TOKEN: '', ALLOW_INSECURE_INTERNAL_AUTH: 'true' });
    try {
      expect(api.logs.some((line) => line.level === 'warn' && String(line.msg).includes('ALLOW_INSECURE_INTERNAL_AUTH=true'))).toBe(true);
      expect((await api.app.inject({ method: 'GET', url: '/internal/v1/jobs' })).statusCode).toBe(200);
    } finally {
      await api.close();
    }
  });
});

describe('the API process', () => {
  it('refuses to start without a token unless insecure mode is chosen', async () => {
    const run = await runApp('apps/api/main.ts', { DATABASE_DRIVER: 'sqlite', DATABASE_DSN: ':memory:' });
    expect(run.code).toBe(78);
    expect(run.stderr).toContain('INTERNAL_AUTH_TOKEN: is required for the API');
  });
});
