import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePipeline } from '../support/fixture-pipeline.js';
import { auth, startApiHarness, TOKEN, type ApiHarness, type Dialect } from './api-harness.js';

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
const nested = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;
const cursorFor = (before: string) => Buffer.from(JSON.stringify({ before })).toString('base64url');
const beyondInt64 = '9223372036854775808';
const history = '/internal/v1/publications?pipeline=test.catalog&scope_key=%7B%7D';

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
  // Values PostgreSQL cannot store and SQLite would: both refuse them before storage. Lone
  // surrogates are sent as the JSON escapes a client would write.
  { name: 'a NUL in a scope value', method: 'POST', url: '/internal/v1/jobs', headers: json, payload: body({ ...valid, scope: { label: 'a\u0000b' } }), status: 400, fields: ['body.scope.label'] },
  { name: 'a lone surrogate in a scope value', method: 'POST', url: '/internal/v1/jobs', headers: json, payload: '{"pipeline":"system.noop","scope":{"label":"a\\ud800"}}', status: 400, fields: ['body.scope.label'] },
  { name: 'a NUL in a scope key', method: 'POST', url: '/internal/v1/jobs', headers: json, payload: body({ ...valid, scope: { 'la\u0000bel': 'x' } }), status: 400, fields: ['body.scope'] },
  { name: 'a NUL deep in params', method: 'POST', url: '/internal/v1/jobs', headers: json, payload: body({ ...valid, params: { a: [{ b: '\u0000' }] } }), status: 400, fields: ['body.params.a.0.b'] },
  { name: 'a NUL in correlation_id', method: 'POST', url: '/internal/v1/jobs', headers: json, payload: body({ ...valid, correlation_id: 'c\u0000' }), status: 400, fields: ['body.correlation_id'] },
  { name: 'a lone surrogate in correlation_id', method: 'POST', url: '/internal/v1/jobs', headers: json, payload: '{"pipeline":"system.noop","scope":{},"correlation_id":"\\udfff"}', status: 400, fields: ['body.correlation_id'] },
  { name: 'a NUL in the pipeline', method: 'POST', url: '/internal/v1/jobs', headers: json, payload: body({ ...valid, pipeline: 'system.noop\u0000' }), status: 400, fields: ['body.pipeline'] },
  { name: 'params nested 1500 levels', method: 'POST', url: '/internal/v1/jobs', headers: json, payload: `{"pipeline":"system.noop","scope":{},"params":{"a":${nested(1500)}}}`, status: 400, fields: ['body.params.a.0.0.0.…26 more….0.0'], detail: /invalid/ },
  { name: 'a scope nested 1500 levels', method: 'POST', url: '/internal/v1/jobs', headers: json, payload: `{"pipeline":"system.noop","scope":{"label":${nested(1500)}}}`, status: 400, fields: ['body.scope.label.0.0.0.…26 more….0.0'] },
  { name: 'a number too large for a double', method: 'POST', url: '/internal/v1/jobs', headers: json, payload: '{"pipeline":"system.noop","scope":{"label":1e400}}', status: 400, fields: ['body.scope.label'] },
  { name: 'run_at in year 0000', method: 'POST', url: '/internal/v1/jobs', headers: json, payload: body({ ...valid, run_at: '0000-01-01T00:00:00Z' }), status: 400, fields: ['body.run_at'] },
  { name: 'run_at past year 9999 once in UTC', method: 'POST', url: '/internal/v1/jobs', headers: json, payload: body({ ...valid, run_at: '9999-12-31T23:00:00-05:00' }), status: 400, fields: ['body.run_at'] },
  { name: 'run_at with a negative year', method: 'POST', url: '/internal/v1/jobs', headers: json, payload: body({ ...valid, run_at: '-000001-01-01T00:00:00Z' }), status: 400, fields: ['body.run_at'] },
  { name: 'a NUL in a jobs filter', method: 'GET', url: '/internal/v1/jobs?pipeline=a%00b', headers: auth, status: 400, fields: ['query.pipeline'] },
  { name: 'a NUL in scope_key', method: 'GET', url: '/internal/v1/jobs?scope_key=%7B%00%7D', headers: auth, status: 400, fields: ['query.scope_key'] },
  { name: 'created_from in year 0000', method: 'GET', url: '/internal/v1/jobs?created_from=0000-06-01T00:00:00Z', headers: auth, status: 400, fields: ['query.created_from'] },
  { name: 'created_to in year 0000', method: 'GET', url: '/internal/v1/jobs?created_to=0000-06-01T00:00:00Z', headers: auth, status: 400, fields: ['query.created_to'] },
  { name: 'a jobs cursor beyond int64', method: 'GET', url: `/internal/v1/jobs?cursor=${cursorFor(beyondInt64)}`, headers: auth, status: 400, fields: ['query.cursor'] },
  { name: 'a publications cursor beyond int64', method: 'GET', url: `${history}&cursor=${cursorFor(beyondInt64)}`, headers: auth, status: 400, fields: ['query.cursor'] },
  { name: 'a publications cursor that is not ours', method: 'GET', url: `${history}&cursor=not-a-cursor`, headers: auth, status: 400, fields: ['query.cursor'] },
  { name: 'a NUL in the publications pipeline', method: 'GET', url: '/internal/v1/publications?pipeline=a%00&scope_key=x', headers: auth, status: 400, fields: ['query.pipeline'] },
  { name: 'a NUL in the publications scope_key', method: 'GET', url: '/internal/v1/publications?pipeline=test.catalog&scope_key=x%00', headers: auth, status: 400, fields: ['query.scope_key'] },
  { name: 'a NUL in the latest pipeline', method: 'GET', url: '/internal/v1/publications/latest?pipeline=test.catalog%00', headers: auth, status: 400, fields: ['query.pipeline'] },
  { name: 'a NUL in a latest scope filter', method: 'GET', url: '/internal/v1/publications/latest?pipeline=system.noop&label=a%00', headers: auth, status: 400, fields: ['query.label'] },
  { name: 'a job id beyond int64', method: 'GET', url: `/internal/v1/jobs/${beyondInt64}`, headers: auth, status: 400, fields: ['params.id'] },
  { name: 'a cancel of a job id beyond int64', method: 'POST', url: `/internal/v1/jobs/${beyondInt64}/cancel`, headers: auth, status: 400, fields: ['params.id'] },
  { name: 'a retry of a job id beyond int64', method: 'POST', url: `/internal/v1/jobs/${beyondInt64}/retry`, headers: auth, status: 400, fields: ['params.id'] },
  { name: "a job's snapshots by an id beyond int64", method: 'GET', url: `/internal/v1/jobs/${beyondInt64}/snapshots`, headers: auth, status: 400, fields: ['params.id'] },
  { name: 'a snapshot id beyond int64', method: 'GET', url: `/internal/v1/snapshots/${beyondInt64}/body`, headers: auth, status: 400, fields: ['params.id'] },
  { name: 'a publication id beyond int64', method: 'GET', url: `/internal/v1/publications/${beyondInt64}`, headers: auth, status: 400, fields: ['params.id'] },
];

describe.each<Dialect>(['sqlite', 'postgres'])('on %s, the API refuses bad input with a problem document and stores nothing', (dialect) => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApiHarness({}, [fixturePipeline('http://127.0.0.1:9')], dialect);
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

  it('accepts the edges of the instant range', async () => {
    for (const runAt of ['0001-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z']) {
      const response = await api.app.inject({ method: 'POST', url: '/internal/v1/jobs', headers: json, payload: body({ pipeline: 'system.noop', scope: { label: runAt }, run_at: runAt }) });
      expect(response.statusCode, response.body).toBe(201);
      expect(response.json<{ job: { next_retry_at: string } }>().job.next_retry_at).toBe(new Date(runAt).toISOString());
    }
    const listed = await api.app.inject({ method: 'GET', url: '/internal/v1/jobs?created_from=0001-01-01T00:00:00Z&created_to=9999-12-31T23:59:59Z', headers: auth });
    expect(listed.statusCode, listed.body).toBe(200);
  });

  it('treats SQL metacharacters in filters as plain values', async () => {
    const response = await api.app.inject({ method: 'GET', url: `/internal/v1/jobs?pipeline=${encodeURIComponent("x' OR '1'='1")}&scope_key=${encodeURIComponent('{"a":1}; DROP TABLE ingestion_jobs')}`, headers: auth });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ jobs: [], next_cursor: null });
  });
});
