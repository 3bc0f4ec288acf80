import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePipeline } from '../support/fixture-pipeline.js';
import { auth, startApiHarness, type ApiHarness, type Dialect } from './api-harness.js';

/**
 * Every route, fed hostile strings, numbers, ids and nesting: the answer is never a 5xx, a refusal
 * is a problem document naming the field, and a refused enqueue stores nothing. The seed is fixed
 * so CI sees the same cases every run; fast-check prints the seed and path of any failure.
 */
const SEED = 20261201;
const RUNS = 120;

const SPECIALS = ['\u0000', '\ud800', '\udfff', '\udc00\ud800', '\u{1f94b}', '__proto__', 'constructor', 'prototype', "' OR 1=1 --", '%', '\\', '"', '.', '/', ''];

/** Text with NUL, lone surrogates, injection fragments, any code unit, sometimes very long. */
const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.string({ maxLength: 6 }), fc.constantFrom('\u0000', '\ud800', '\udfff'), fc.string({ maxLength: 6 })).map((parts) => parts.join('')),
  fc.array(fc.oneof(fc.constantFrom(...SPECIALS), fc.string({ unit: 'binary', maxLength: 8 }), fc.string({ maxLength: 8 })), { maxLength: 6 }).map((parts) => parts.join('')),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength: 12 }),
  fc.integer({ min: 200, max: 6000 }).map((length) => 'x'.repeat(length)),
);

/** Number-like text as a client could send it, JSON or query. */
const hostileNumberText = fc.oneof(
  fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e400', '-1e400', '1e-400', '-0', '0x10', '1_000', '9223372036854775807', '9223372036854775808', '18446744073709551616', '99999999999999999999999999'),
  fc.double().map(String),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map(String),
);

/** ISO-looking instants from year -10000 to 20000, the edges included. */
const hostileInstant = fc.oneof(
  fc.constantFrom('0000-01-01T00:00:00Z', '0001-01-01T00:00:00Z', '0001-01-01T00:00:00+01:00', '9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59-01:00', '+010000-01-01T00:00:00Z', '-000001-01-01T00:00:00Z', '2026-02-30T00:00:00Z'),
  fc.tuple(fc.integer({ min: -10_000, max: 20_000 }), fc.integer({ min: 0, max: 13 }), fc.constantFrom('Z', '+14:00', '-14:00', '')).map(
    ([year, month, zone]) => `${year < 0 ? '-' : ''}${String(Math.abs(year)).padStart(4, '0')}-${String(month).padStart(2, '0')}-01T00:00:00${zone}`,
  ),
);

const nestedText = (depth: number, open: string, close: string) => `${open.repeat(depth)}1${close.repeat(depth)}`;

/** A JSON value as text: deep nesting, numbers JSON.parse turns into Infinity, hostile keys and strings. */
const hostileJsonText: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: 20, max: 3000 }).map((depth) => nestedText(depth, '[', ']')),
  fc.integer({ min: 20, max: 2000 }).map((depth) => nestedText(depth, '{"a":', '}')),
  hostileNumberText.filter((text) => /^-?[0-9][0-9.e+-]*$/i.test(text)),
  fc.dictionary(fc.oneof(hostileText, fc.constantFrom('label', 'sleep_ms', 'name')), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }).map((value) => JSON.stringify(value)),
  fc.record({ label: hostileText }).map((value) => JSON.stringify(value)),
  fc.record({ sleep_ms: fc.oneof(fc.integer(), fc.double()) }).map((value) => JSON.stringify(value)),
  hostileText.map((text) => JSON.stringify(text)),
  fc.constant('{}'),
);

const BODY_FIELDS = ['pipeline', 'scope', 'params', 'priority', 'max_attempts', 'run_at', 'force_republish', 'correlation_id'] as const;

/** A POST /jobs body as raw JSON text: mostly the known fields, sometimes prototype keys. */
const hostileBody = fc
  .tuple(
    fc.oneof({ weight: 3, arbitrary: fc.constant('"system.noop"') }, { weight: 1, arbitrary: hostileText.map((text) => JSON.stringify(text)) }),
    fc.oneof({ weight: 3, arbitrary: hostileJsonText }, { weight: 2, arbitrary: fc.constant('{"label":"ok"}') }),
    fc.dictionary(
      fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...BODY_FIELDS.slice(2)) }, { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype') }),
      fc.oneof(hostileJsonText, hostileNumberText.filter((text) => /^-?[0-9]/.test(text)), hostileInstant.map((text) => JSON.stringify(text)), fc.constantFrom('true', 'null', '[]')),
      { maxKeys: 3 },
    ),
  )
  .map(([pipeline, scope, rest]) => `{"pipeline":${pipeline},"scope":${scope}${Object.entries(rest).map(([key, value]) => `,${JSON.stringify(key)}:${value}`).join('')}}`);

/** A job of a batch: a hostile body, or a valid one, either maybe with an idempotency key that recurs. */
const hostileBatchItem = fc
  .tuple(
    fc.oneof({ weight: 2, arbitrary: hostileBody }, { weight: 1, arbitrary: fc.constantFrom('{"pipeline":"system.noop","scope":{"label":"ok"}}', '{"pipeline":"system.noop","scope":{"label":"ok"},"priority":1}') }),
    fc.option(fc.oneof(fc.constantFrom('"k1"', '"k2"', '""', '7', 'null'), hostileText.map((text) => JSON.stringify(text))), { nil: undefined }),
  )
  .map(([item, key]) => (key === undefined || !item.startsWith('{"pipeline"') ? item : `${item.slice(0, -1)},"idempotency_key":${key}}`));

/** A POST /jobs/batch body: mostly a sound envelope of hostile jobs, sometimes a hostile envelope. */
const hostileBatch = fc.oneof(
  { weight: 5, arbitrary: fc.array(fc.oneof({ weight: 4, arbitrary: hostileBatchItem }, { weight: 1, arbitrary: hostileJsonText }), { minLength: 1, maxLength: 5 }).map((items) => `{"jobs":[${items.join(',')}]}`) },
  { weight: 1, arbitrary: hostileJsonText.map((jobs) => `{"jobs":${jobs}}`) },
  { weight: 1, arbitrary: fc.tuple(hostileBatchItem, fc.constantFrom('__proto__', 'constructor', 'jobs2', '')).map(([item, key]) => `{"jobs":[${item}],${JSON.stringify(key)}:1}`) },
);

/** Percent-encodes every UTF-8 byte (a lone surrogate becomes U+FFFD, as on the wire). */
const encode = (text: string) => [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');

/** Query values: often text around raw bytes that decode to NUL, a surrogate or invalid UTF-8. */
const queryValue = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.string({ maxLength: 4 }), fc.constantFrom('%00', '%ED%A0%80', '%FF%FE', '%C0%80', '%', '%zz'), fc.string({ maxLength: 4 }))
      .map(([before, bytes, after]) => `${encode(before)}${bytes}${encode(after)}`),
  },
  { weight: 1, arbitrary: hostileText.map(encode) },
  { weight: 1, arbitrary: hostileNumberText.map(encode) },
  { weight: 1, arbitrary: hostileInstant.map(encode) },
  { weight: 1, arbitrary: hostileText.map((text) => Buffer.from(JSON.stringify({ before: text })).toString('base64url')) },
  { weight: 1, arbitrary: hostileNumberText.map((text) => Buffer.from(JSON.stringify({ before: text })).toString('base64url')) },
);

/**
 * A query with one hostile parameter (a known key or a hostile one) among otherwise valid ones, so
 * the hostile value gets past the other checks and reaches storage. `valid` gives a good value for
 * every key; required keys are always present.
 */
const hostileQuery = (valid: Record<string, string>, required: readonly string[]) => {
  const keys = Object.keys(valid);
  return fc
    .tuple(
      fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...keys) }, { weight: 1, arbitrary: hostileText.map(encode) }),
      queryValue,
      fc.subarray(keys),
    )
    .map(([hostileKey, hostileValue, chosen]) => {
      const present = [...new Set([...required, ...chosen])].filter((key) => key !== hostileKey);
      return [...present.map((key) => `${key}=${encode(valid[key] ?? '')}`), `${hostileKey}=${hostileValue}`].join('&');
    });
};

const hostileId = fc.oneof(
  fc.constantFrom('1', '2', '0', '00', '-1', '1e3', '9223372036854775807', '9223372036854775808', '18446744073709551616', '99999999999999999999'),
  fc.bigInt({ min: 0n, max: 2n ** 70n }).map(String),
  hostileText.filter((text) => text.length < 60).map(encode),
);

interface Problem {
  status: number;
  errors?: { field: string; message: string }[];
}

describe.each<Dialect>(['sqlite', 'postgres'])('on %s, hostile input never gets a 5xx', (dialect) => {
  let api: ApiHarness;
  beforeAll(async () => {
    // A body limit that lets thousands of nesting levels through to validation.
    api = await startApiHarness({ HTTP_BODY_LIMIT_BYTES: '65536' }, [fixturePipeline('http://127.0.0.1:9')], dialect);
    for (const label of ['a', 'b']) {
      const seeded = await api.app.inject({ method: 'POST', url: '/internal/v1/jobs', headers: auth, payload: { pipeline: 'system.noop', scope: { label } } });
      expect(seeded.statusCode).toBe(201);
    }
  });
  afterAll(() => api.close());

  const newestJobId = async () => (await api.repository.listJobs({ filter: {}, limit: 1 })).jobs[0]?.id;

  async function send(method: 'GET' | 'POST', url: string, payload?: string) {
    const response = await api.app.inject({
      method,
      url,
      headers: payload === undefined ? auth : { ...auth, 'content-type': 'application/json' },
      ...(payload === undefined ? {} : { payload }),
    });
    const where = `${method} ${url.slice(0, 300)} ${payload?.slice(0, 300) ?? ''} -> ${response.statusCode} ${response.body.slice(0, 300)}`;
    expect(response.statusCode, where).toBeLessThan(500);
    if (response.statusCode >= 400) {
      expect(response.headers['content-type'], where).toMatch(/^application\/problem\+json/);
      const problem = response.json<Problem>();
      expect(problem.status, where).toBe(response.statusCode);
      if (response.statusCode === 400) {
        expect(problem.errors ?? [], where).not.toHaveLength(0);
        for (const error of problem.errors ?? []) expect(typeof error.field, where).toBe('string');
      }
    }
    return response;
  }

  const options = { numRuns: RUNS, seed: SEED };

  it('POST /jobs: a refused body stores nothing, an accepted one can be read back', async () => {
    await fc.assert(
      fc.asyncProperty(hostileBody, async (payload) => {
        const before = await newestJobId();
        const response = await send('POST', '/internal/v1/jobs', payload);
        const after = await newestJobId();
        if (response.statusCode >= 400) {
          expect(after, payload.slice(0, 300)).toBe(before);
        } else {
          const { id } = response.json<{ job: { id: string } }>().job;
          expect((await send('GET', `/internal/v1/jobs/${id}`)).statusCode).toBe(200);
          expect((await send('GET', '/internal/v1/jobs?limit=5')).statusCode).toBe(200);
        }
      }),
      options,
    );
  });

  it('POST /jobs/batch: each job answered in order, a refused one by its own problem; only created jobs are stored', async () => {
    await fc.assert(
      fc.asyncProperty(hostileBatch, async (payload) => {
        const before = await newestJobId();
        const response = await send('POST', '/internal/v1/jobs/batch', payload);
        if (response.statusCode >= 400) {
          expect(await newestJobId(), payload.slice(0, 300)).toBe(before);
          return;
        }
        expect(response.statusCode).toBe(200);
        const { results } = response.json<{ results: { index: number; status: number; job?: { id: string }; problem?: Problem }[] }>();
        expect(results.length).toBe((JSON.parse(payload) as { jobs: unknown[] }).jobs.length);
        results.forEach((result, index) => {
          expect(result.index).toBe(index);
          if (result.status === 201 || result.status === 200) {
            expect(result.job, payload.slice(0, 300)).toBeDefined();
          } else {
            expect([400, 409]).toContain(result.status);
            expect(result.problem?.status).toBe(result.status);
            if (result.status === 400) {
              expect(result.problem?.errors ?? [], payload.slice(0, 300)).not.toHaveLength(0);
              for (const error of result.problem?.errors ?? []) expect(error.field.startsWith(`body.jobs.${index}`), error.field).toBe(true);
            }
          }
        });
        const created = results.filter((result) => result.status === 201).map((result) => result.job?.id ?? '');
        const newer = (await api.repository.listJobs({ filter: {}, limit: 10 })).jobs.filter((job) => before === undefined || BigInt(job.id) > BigInt(before));
        expect(newer.map((job) => job.id).sort()).toEqual([...created].sort());
        for (const id of created) expect((await send('GET', `/internal/v1/jobs/${id}`)).statusCode).toBe(200);
      }),
      options,
    );
  });

  const cursor = Buffer.from(JSON.stringify({ before: '2' })).toString('base64url');
  const queryRoutes: [string, Record<string, string>, string[]][] = [
    [
      '/internal/v1/jobs',
      { state: 'pending,running', pipeline: 'system.noop', scope_key: '{"label":"a"}', created_from: '2020-01-01T00:00:00Z', created_to: '2100-01-01T00:00:00+02:00', limit: '5', cursor },
      [],
    ],
    ['/internal/v1/publications', { pipeline: 'test.catalog', scope_key: '{"name":"a"}', limit: '5', cursor }, ['pipeline', 'scope_key']],
    // system.noop's scope takes any label, so a hostile label reaches the scope filter in SQL.
    ['/internal/v1/publications/latest', { pipeline: 'system.noop', limit: '5', label: 'abc' }, ['pipeline']],
  ];
  it.each(queryRoutes)('GET %s with hostile query strings', async (path, valid, required) => {
    await fc.assert(
      fc.asyncProperty(hostileQuery(valid, required), async (query) => {
        await send('GET', `${path}?${query}`);
      }),
      options,
    );
  });

  const idRoutes: ['GET' | 'POST', string][] = [
    ['GET', '/internal/v1/jobs/{id}'],
    ['POST', '/internal/v1/jobs/{id}/cancel'],
    ['POST', '/internal/v1/jobs/{id}/retry'],
    ['GET', '/internal/v1/jobs/{id}/snapshots'],
    ['GET', '/internal/v1/snapshots/{id}/body'],
    ['GET', '/internal/v1/publications/{id}'],
  ];
  it.each(idRoutes)('%s %s with hostile ids', async (method, template) => {
    await fc.assert(
      fc.asyncProperty(hostileId, async (id) => {
        await send(method, template.replace('{id}', id));
      }),
      options,
    );
  });
});
