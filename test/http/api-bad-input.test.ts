import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, startApiHarness, TOKEN, type ApiHarness } from './api-harness.js';

interface Case {
  name: string;
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  payload?: string;
  status: number;
  /** Fields the problem document must name. */
  fields?: string[];
  detail?: RegExp;
}

const json = { ...auth, 'content-type': 'application/json' };
const valid = { pipeline: 'system.noop', scope: { label: 'x' } };
const body = (value: unknown) => JSON.stringify(value);
const long = 'x'.repeat(5_000);

const cases: Case[] = [
  { name: 'malformed JSON', method: 'POST', url: '/internal/v1/jobs', headers: json, payload: '{"pipeline": "system.noop",', status: 400, detail: /not valid JSON/ },
  { name: 'a wrong content type', method: 'POST', url: '/internal/v1/jobs', headers: { ...auth, 'content-type': 'text/plain' }, payload: body(valid), status: 415, detail: /application\/json/ },
  { name: 'an oversized body', method: 'POST', url: '/internal/v1/jobs', headers: json, payload: body({ ...valid, params: { filler: 'y'.repeat(10_000) } }), status: 413 },
  { name: 'an empty JSON body', method: 'POST', url: '/internal/v1/jobs', headers: json, payload: '', status: 400 },
  { name: 'an unknown top-level field', method: 'POST', url: '/internal/v1/jobs', headers: json, payload: body({ ...valid, colour: 'red' }), status: 400, fields: ['body'], detail: /invalid/ },
  { name: 'a missing scope', method: 'POST', url: '/internal/v1/jobs', headers: json, payload: body({ pipeline: 'system.noop' }), status: 400, fields: ['body.scope'] },
  { name: 'wrong types', method: 'POST', url: '/internal/v1/jobs', headers: json, payload: body({ ...valid, priority: 'high', max_attempts: 0, force_republish: 'yes' }), status: 400, fields: ['body.priority', 'body.max_attempts', 'body.force_republish'] },
  { name: 'a scope that is an array', method: 'POST', url: '/internal/v1/jobs', headers: json, payload: body({ pipeline: 'system.noop', scope: ['US'] }), status: 400, fields: ['body.scope'] },
  { name: 'a bad run_at', method: 'POST', url: '/internal/v1/jobs', headers: json, payload: body({ ...valid, run_at: 'tomorrow' }), status: 400, fields: ['body.run_at'] },
  { name: 'an unknown pipeline', method: 'POST', url: '/internal/v1/jobs', headers: json, payload: body({ pipeline: "smoothcomp.x'; DROP TABLE ingestion_jobs; --", scope: {} }), status: 400, fields: ['body.pipeline'] },
  { name: 'a scope that fails its pipeline schema', method: 'POST', url: '/internal/v1/jobs', headers: json, payload: body({ pipeline: 'system.noop', scope: { label: 7, country: 'US' } }), status: 400, fields: ['body.scope.label', 'body.scope'] },
  { name: 'params that fail their pipeline schema', method: 'POST', url: '/internal/v1/jobs', headers: json, payload: body({ ...valid, params: { sleep_ms: -5 } }), status: 400, fields: ['body.params.sleep_ms'] },
  { name: 'a very long pipeline name', method: 'POST', url: '/internal/v1/jobs', headers: json, payload: body({ pipeline: 'p'.repeat(300), scope: {} }), status: 400, fields: ['body.pipeline'] },
  { name: 'a malformed Idempotency-Key', method: 'POST', url: '/internal/v1/jobs', headers: { ...json, 'idempotency-key': 'two words' }, payload: body(valid), status: 400, fields: ['headers.idempotency-key'] },
  { name: 'a missing token', method: 'POST', url: '/internal/v1/jobs', headers: { 'content-type': 'application/json' }, payload: body(valid), status: 401 },
  { name: 'a wrong token', method: 'POST', url: '/internal/v1/jobs', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}x` }, payload: body(valid), status: 401 },
  { name: 'a token without the Bearer scheme', method: 'GET', url: '/internal/v1/jobs', headers: { authorization: TOKEN }, status: 401 },
  { name: 'a very long filter', method: 'GET', url: `/internal/v1/jobs?pipeline=${long}`, headers: auth, status: 400, fields: ['query.pipeline'] },
  { name: 'an unknown filter', method: 'GET', url: '/internal/v1/jobs?colour=red', headers: auth, status: 400, fields: ['query'] },
  { name: 'an unknown state', method: 'GET', url: '/internal/v1/jobs?state=pending,sleeping', headers: auth, status: 400, fields: ['query.state'] },
  { name: 'a limit above the cap', method: 'GET', url: '/internal/v1/jobs?limit=201', headers: auth, status: 400, fields: ['query.limit'] },
  { name: 'a limit that is not a number', method: 'GET', url: '/internal/v1/jobs?limit=ten', headers: auth, status: 400, fields: ['query.limit'] },
  { name: 'a forged cursor', method: 'GET', url: '/internal/v1/jobs?cursor=eyJiZWZvcmUiOiIxIE9SIDE9MSJ9', headers: auth, status: 400, fields: ['query.cursor'] },
  { name: 'a bad created_from', method: 'GET', url: '/internal/v1/jobs?created_from=yesterday', headers: auth, status: 400, fields: ['query.created_from'] },
  { name: 'a non-numeric job id', method: 'GET', url: '/internal/v1/jobs/abc', headers: auth, status: 400, fields: ['params.id'] },
  { name: 'an injected job id', method: 'GET', url: `/internal/v1/jobs/${encodeURIComponent('1 OR 1=1')}`, headers: auth, status: 400, fields: ['params.id'] },
  { name: 'a job id of zero', method: 'POST', url: '/internal/v1/jobs/0/cancel', headers: auth, status: 400, fields: ['params.id'] },
  { name: 'a job id too large for any job', method: 'POST', url: '/internal/v1/jobs/123456789012345678901/retry', headers: auth, status: 400, fields: ['params.id'] },
  { name: 'a job that does not exist', method: 'GET', url: '/internal/v1/jobs/987654321', headers: auth, status: 404, detail: /does not exist/ },
  { name: 'an unknown route', method: 'GET', url: '/internal/v1/nothing-here', headers: auth, status: 404 },
];

describe('the API refuses bad input with a problem document and stores nothing', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApiHarness();
  });
  afterAll(() => api.close());

  it.each(cases)('$name -> $status', async (c) => {
    const before = await api.repository.listJobs({ filter: {}, limit: 200 });
    const response = await api.app.inject({ method: c.method, url: c.url, headers: c.headers ?? {}, ...(c.payload === undefined ? {} : { payload: c.payload }) });
    expect(response.statusCode, response.body).toBe(c.status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = response.json<{ status: number; title: string; detail: string; errors?: { field: string; message: string }[] }>();
    expect(problem.status).toBe(c.status);
    expect(problem.title.length).toBeGreaterThan(0);
    expect(problem.detail.length).toBeGreaterThan(0);
    expect(response.body).not.toMatch(/\bat .+\.(ts|js):\d+/);
    if (c.detail !== undefined) expect(problem.detail).toMatch(c.detail);
    for (const field of c.fields ?? []) expect(problem.errors?.map((e) => e.field)).toContain(field);
    if (c.status === 401) expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
    const after = await api.repository.listJobs({ filter: {}, limit: 200 });
    expect(after.jobs.length).toBe(before.jobs.length);
  });

  it('treats SQL metacharacters in filters as plain values', async () => {
    const response = await api.app.inject({ method: 'GET', url: `/internal/v1/jobs?pipeline=${encodeURIComponent("x' OR '1'='1")}&scope_key=${encodeURIComponent('{"a":1}; DROP TABLE ingestion_jobs')}`, headers: auth });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ jobs: [], next_cursor: null });
  });
});
