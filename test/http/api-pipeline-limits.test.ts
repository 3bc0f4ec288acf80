import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, startApiHarness, type ApiHarness } from './api-harness.js';

interface LimitsBody {
  limits: { pipeline: string; max_running: number | null; updated_at: string | null };
}

describe('the pipeline limits API', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApiHarness();
  });
  afterAll(() => api.close());

  const url = (pipeline: string) => `/internal/v1/pipelines/${pipeline}/limits`;
  const put = (pipeline: string, payload: unknown, headers: Record<string, string> = auth) =>
    api.app.inject({ method: 'PUT', url: url(pipeline), headers, payload: payload as object });
  const get = (pipeline: string, headers: Record<string, string> = auth) => api.app.inject({ method: 'GET', url: url(pipeline), headers });

  it('reads no limit, sets one, replaces it and removes it with null', async () => {
    const none = await get('system.noop');
    expect(none.statusCode).toBe(200);
    expect(none.json()).toEqual({ limits: { pipeline: 'system.noop', max_running: null, updated_at: null } });

    const set = await put('system.noop', { max_running: 2 });
    expect(set.statusCode).toBe(200);
    const { limits } = set.json<LimitsBody>();
    expect(limits).toMatchObject({ pipeline: 'system.noop', max_running: 2 });
    expect(new Date(limits.updated_at ?? '').getTime()).not.toBeNaN();
    expect((await put('system.noop', { max_running: 5 })).json()).toMatchObject({ limits: { max_running: 5 } });
    expect((await get('system.noop')).json()).toMatchObject({ limits: { pipeline: 'system.noop', max_running: 5 } });
    expect(await api.repository.getPipelineLimit('system.noop')).toMatchObject({ maxRunning: 5 });

    const removed = await put('system.noop', { max_running: null });
    expect(removed.statusCode).toBe(200);
    expect(removed.json()).toEqual({ limits: { pipeline: 'system.noop', max_running: null, updated_at: null } });
    expect(await api.repository.getPipelineLimit('system.noop')).toBeNull();
  });

  it('answers 404 for a pipeline that is not registered, and stores nothing', async () => {
    for (const response of [await get('no.such.pipeline'), await put('no.such.pipeline', { max_running: 1 })]) {
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ status: 404, detail: 'pipeline no.such.pipeline is not registered' });
    }
    expect(await api.repository.getPipelineLimit('no.such.pipeline')).toBeNull();
  });

  it.each([
    [{ max_running: 0 }, 'body.max_running'],
    [{ max_running: -1 }, 'body.max_running'],
    [{ max_running: 1.5 }, 'body.max_running'],
    [{ max_running: '2' }, 'body.max_running'],
    [{ max_running: 2_147_483_648 }, 'body.max_running'],
    [{}, 'body.max_running'],
    [{ max_running: 2, burst: 3 }, 'body'],
  ])('refuses %j with a 400 naming %s, and stores nothing', async (payload, field) => {
    const response = await put('system.noop', payload);
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toContain(field);
    expect(await api.repository.getPipelineLimit('system.noop')).toBeNull();
  });

  it('needs the bearer token for both routes', async () => {
    expect((await get('system.noop', {})).statusCode).toBe(401);
    expect((await put('system.noop', { max_running: 1 }, {})).statusCode).toBe(401);
    expect(await api.repository.getPipelineLimit('system.noop')).toBeNull();
  });
});
