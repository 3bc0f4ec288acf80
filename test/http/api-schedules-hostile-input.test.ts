import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, startApiHarness, type ApiHarness, type Dialect } from './api-harness.js';

/**
 * The schedules routes fed hostile text, numbers, instants, ids and nesting: never a 5xx, a refusal
 * is a problem document naming a field, and a refused create stores nothing. Fixed seed, as in
 * api-hostile-input.test.ts.
 */
const SEED = 20261202;
const RUNS = 80;

const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.string({ maxLength: 6 }), fc.constantFrom('\u0000', '\ud800', '\udfff'), fc.string({ maxLength: 6 })).map((parts) => parts.join('')),
  fc.constantFrom('', ' ', '__proto__', 'constructor', "' OR 1=1 --", 'UTC', 'Europe/Stockholm', '../../etc/localtime', '+05:00', 'Etc/GMT+99'),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength: 12 }),
  fc.integer({ min: 200, max: 3000 }).map((length) => 'x'.repeat(length)),
);

const hostileCron = fc.oneof(
  fc.constantFrom('* * * * *', '0 0 31 2 *', '*/0 * * * *', '60 * * * *', '* * * * * * *', '@yearly', 'L W # ?', '0 0 29 2 1', '1-0 * * * *', '*/1000000 * * * *'),
  hostileText,
);

const hostileNumber = fc.oneof(
  fc.constantFrom('0', '-1', '1e400', '-0', '0.5', '9223372036854775808', '99999999999999999999', 'null', 'true', '"5"'),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
);

const hostileInstant = fc.oneof(
  fc.constantFrom('0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '+010000-01-01T00:00:00Z', '2026-02-30T00:00:00Z', '2026-03-29T02:30:00+01:00', '2026-01-01T00:00:00'),
  hostileText,
);

const nested = fc.integer({ min: 20, max: 2000 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);

const hostileJson = fc.oneof(
  nested,
  fc.dictionary(fc.oneof(hostileText, fc.constant('label')), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }).map((value) => JSON.stringify(value)),
  fc.record({ label: hostileText }).map((value) => JSON.stringify(value)),
  fc.constantFrom('{}', '[]', 'null', '"x"'),
);

/** A schedule body as raw JSON: a sound base with a few hostile members. */
const hostileSchedule = fc
  .record(
    {
      name: hostileText.map((text) => JSON.stringify(text)),
      pipeline: fc.oneof(fc.constant('"system.noop"'), hostileText.map((text) => JSON.stringify(text))),
      scope: hostileJson,
      params: hostileJson,
      cron: hostileCron.map((text) => JSON.stringify(text)),
      time_zone: hostileText.map((text) => JSON.stringify(text)),
      interval_seconds: hostileNumber,
      start_at: hostileInstant.map((text) => JSON.stringify(text)),
      end_at: hostileInstant.map((text) => JSON.stringify(text)),
      jitter_seconds: hostileNumber,
      max_catchup: hostileNumber,
      missed_policy: hostileText.map((text) => JSON.stringify(text)),
    },
    { requiredKeys: [] },
  )
  .map((hostile) => {
    const base: Record<string, string> = { name: '"h-ok"', pipeline: '"system.noop"', scope: '{"label":"ok"}', cron: '"0 * * * *"' };
    const members = { ...base, ...Object.fromEntries(Object.entries(hostile)) };
    return `{${Object.entries(members)
      .map(([key, value]) => `${JSON.stringify(key)}:${value}`)
      .join(',')}}`;
  });

const encode = (text: string) => [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');

const hostileId = fc.oneof(
  fc.constantFrom('1', '0', '-1', '1e3', '9223372036854775807', '9223372036854775808', '99999999999999999999'),
  hostileText.filter((text) => text.length > 0 && text.length < 60).map(encode),
);

const hostileQueryValue = fc.oneof(fc.constantFrom('%00', '%ED%A0%80', '%FF', '0', '101', '-5', '1e3', 'NaN'), hostileText.map(encode), hostileInstant.map(encode));

interface Problem {
  status: number;
  errors?: { field: string }[];
}

describe.each<Dialect>(['sqlite', 'postgres'])('on %s, hostile input to the schedules routes never gets a 5xx', (dialect) => {
  let api: ApiHarness;
  let id = '';
  beforeAll(async () => {
    api = await startApiHarness({ HTTP_BODY_LIMIT_BYTES: '65536' }, [], dialect);
    const created = await api.app.inject({ method: 'POST', url: '/internal/v1/schedules', headers: auth, payload: { name: 'seed', pipeline: 'system.noop', scope: {}, cron: '0 * * * *' } });
    expect(created.statusCode).toBe(201);
    id = created.json<{ schedule: { id: string } }>().schedule.id;
  });
  afterAll(() => api.close());

  async function send(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: string) {
    const response = await api.app.inject({
      method,
      url,
      headers: payload === undefined ? auth : { ...auth, 'content-type': 'application/json' },
      ...(payload === undefined ? {} : { payload }),
    });
    const where = `${method} ${url.slice(0, 200)} ${payload?.slice(0, 300) ?? ''} -> ${response.statusCode} ${response.body.slice(0, 300)}`;
    expect(response.statusCode, where).toBeLessThan(500);
    if (response.statusCode >= 400) {
      expect(response.headers['content-type'], where).toMatch(/^application\/problem\+json/);
      const problem = response.json<Problem>();
      expect(problem.status, where).toBe(response.statusCode);
      if (response.statusCode === 400) expect(problem.errors ?? [], where).not.toHaveLength(0);
    }
    return response;
  }
  const count = async () => (await api.storage.schedules.listSchedules({ limit: 200 })).schedules.length;
  const options = { numRuns: RUNS, seed: SEED };

  it('POST /schedules and PUT /schedules/{id}: a refused body stores nothing', async () => {
    await fc.assert(
      fc.asyncProperty(hostileSchedule, async (payload) => {
        const before = await count();
        const created = await send('POST', '/internal/v1/schedules', payload);
        if (created.statusCode === 201) {
          const createdId = created.json<{ schedule: { id: string } }>().schedule.id;
          expect((await send('GET', `/internal/v1/schedules/${createdId}/preview?count=3`)).statusCode).toBe(200);
          expect((await send('DELETE', `/internal/v1/schedules/${createdId}`)).statusCode).toBe(200);
        } else {
          expect(await count(), payload.slice(0, 300)).toBe(before);
        }
        await send('PUT', `/internal/v1/schedules/${id}`, payload.replace('"h-ok"', '"seed"'));
      }),
      options,
    );
  });

  it('POST /schedules/{id}/pause with hostile reasons and ends', async () => {
    const body = fc
      .record({ reason: hostileText, until: fc.option(hostileInstant, { nil: undefined }) })
      .map((value) => JSON.stringify(value));
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        await send('POST', `/internal/v1/schedules/${id}/pause`, payload);
      }),
      options,
    );
    expect((await send('POST', `/internal/v1/schedules/${id}/resume`)).statusCode).toBe(200);
  });

  it('hostile ids on every route that takes one', async () => {
    await fc.assert(
      fc.asyncProperty(hostileId, async (hostile) => {
        const base = `/internal/v1/schedules/${hostile}`;
        await send('GET', base);
        await send('PUT', base, '{"name":"x","pipeline":"system.noop","scope":{},"cron":"0 * * * *"}');
        await send('DELETE', base);
        await send('POST', `${base}/pause`, '{"reason":"r"}');
        await send('POST', `${base}/resume`);
        await send('POST', `${base}/trigger`);
        await send('GET', `${base}/runs`);
        await send('GET', `${base}/preview`);
      }),
      { ...options, numRuns: 40 },
    );
  });

  it('hostile query strings on the list, runs and preview routes', async () => {
    const query = fc.tuple(fc.constantFrom('limit', 'cursor', 'count', 'from', '__proto__'), hostileQueryValue);
    await fc.assert(
      fc.asyncProperty(query, async ([key, value]) => {
        await send('GET', `/internal/v1/schedules?${key}=${value}`);
        await send('GET', `/internal/v1/schedules/${id}/runs?${key}=${value}`);
        await send('GET', `/internal/v1/schedules/${id}/preview?${key}=${value}`);
      }),
      options,
    );
  });
});
