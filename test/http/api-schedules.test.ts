import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCronerEngine } from '../../src/adapters/schedule/croner-engine.js';
import { HandlerRegistry } from '../../src/application/handler-registry.js';
import { decideFiring } from '../../src/application/scheduler/decide-firing.js';
import { ScheduleService } from '../../src/application/scheduler/schedule-service.js';
import { createHandlers } from '../../src/platform/handlers.js';
import { createFetcher } from '../../src/platform/fetcher.js';
import { waitFor } from '../support/wait-for.js';
import { auth, startApiHarness, type ApiHarness, type Dialect } from './api-harness.js';

interface ScheduleBody {
  id: string;
  name: string;
  origin: string;
  cron: string | null;
  time_zone: string;
  interval_seconds: number | null;
  next_run_at: string | null;
  fire_at: string | null;
  paused_at: string | null;
  paused_reason: string | null;
  paused_until: string | null;
  last_job_id: string | null;
  deleted_at: string | null;
}
interface Answer {
  status: number;
  type: string | null;
  location: string | null;
  body: Record<string, unknown> & { schedule?: ScheduleBody; errors?: { field: string; message: string }[]; detail?: string };
}

const hourly = (name: string) => ({ name, pipeline: 'system.noop', scope: { label: name }, cron: '0 * * * *' });

/** The schedules API on a real server on loopback, on each dialect. */
describe.each<Dialect>(['sqlite', 'postgres'])('the schedules API on %s', (dialect) => {
  let api: ApiHarness;
  let base = '';
  beforeAll(async () => {
    api = await startApiHarness({}, [], dialect);
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}/internal/v1`;
  });
  afterAll(() => api.close());

  async function call(method: string, path: string, body?: unknown): Promise<Answer> {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      location: response.headers.get('location'),
      body: (await response.json()) as Answer['body'],
    };
  }
  // A field can be named twice (a malformed instant also fails the range check); each name counts once.
  const fields = (answer: Answer) => (answer.body.errors === undefined ? undefined : [...new Set(answer.body.errors.map((e) => e.field))]);
  const create = async (body: unknown) => {
    const answer = await call('POST', '/schedules', body);
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    return answer.body.schedule as ScheduleBody;
  };

  it('creates a schedule (201, Location) with its next run placed, and shows and lists it', async () => {
    const before = Date.now();
    const created = await call('POST', '/schedules', { ...hourly('create-1'), time_zone: 'Europe/Stockholm', jitter_seconds: 60 });
    expect(created.status).toBe(201);
    const schedule = created.body.schedule as ScheduleBody;
    expect(created.location).toBe(`/internal/v1/schedules/${schedule.id}`);
    expect(schedule).toMatchObject({ name: 'create-1', origin: 'api', cron: '0 * * * *', time_zone: 'Europe/Stockholm', paused_at: null, deleted_at: null });
    const next = Date.parse(schedule.next_run_at ?? '');
    expect(next).toBeGreaterThan(before - 1_000);
    expect(next).toBeLessThanOrEqual(before + 3_600_000);
    expect(new Date(next).getUTCMinutes()).toBe(0);
    expect(Date.parse(schedule.fire_at ?? '') - next).toBeLessThan(60_000);

    const shown = await call('GET', `/schedules/${schedule.id}`);
    expect(shown.status).toBe(200);
    expect(shown.body.schedule).toEqual(schedule);

    const ids = [schedule.id];
    for (const name of ['list-a', 'list-b']) ids.push((await create(hourly(name))).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await call('GET', `/schedules?limit=2${cursor === null ? '' : `&cursor=${cursor}`}`);
      expect(page.status).toBe(200);
      seen.push(...(page.body.schedules as ScheduleBody[]).map((s) => s.id));
      cursor = page.body.next_cursor as string | null;
    } while (cursor !== null);
    expect(seen.slice(0, 3)).toEqual([...ids].reverse());
    expect(fields(await call('GET', '/schedules?cursor=nope'))).toEqual(['query.cursor']);
  });

  it('refuses bad input with 400 naming each field, and stores nothing', async () => {
    const count = async () => ((await call('GET', '/schedules?limit=200')).body.schedules as unknown[]).length;
    const before = await count();
    const zone = await call('POST', '/schedules', { ...hourly('bad-zone'), time_zone: 'Europe/Atlantis' });
    expect(zone.status).toBe(400);
    expect(zone.type).toMatch(/^application\/problem\+json/);
    expect(fields(zone)).toEqual(['body.time_zone']);
    expect(fields(await call('POST', '/schedules', { ...hourly('bad-cron'), cron: '61 * * * *' }))).toEqual(['body.cron']);
    expect(fields(await call('POST', '/schedules', { ...hourly('bad-pipeline'), pipeline: 'no.such' }))).toEqual(['body.pipeline']);
    expect(fields(await call('POST', '/schedules', { ...hourly('bad-scope'), scope: { label: '' } }))).toEqual(['body.scope.label']);
    expect(fields(await call('POST', '/schedules', { ...hourly('bad-scope'), scope: { other: 1 } }))).toEqual(['body.scope']);
    const shape = await call('POST', '/schedules', { ...hourly('bad shape'), priority: 'high', colour: 'red' });
    expect(fields(shape)?.sort()).toEqual(['body', 'body.name', 'body.priority']);
    expect(fields(await call('POST', '/schedules', { name: 'no-timing', pipeline: 'system.noop', scope: {} }))).toEqual([expect.stringMatching(/^body\./)]);
    expect(fields(await call('POST', '/schedules', { ...hourly('nul'), scope: { label: 'a\u0000b' } }))).toEqual(['body.scope.label']);
    expect(await count()).toBe(before);
  });

  it('refuses a taken name with 409; a deleted schedule frees its name and stays readable with its runs', async () => {
    const first = await create(hourly('taken'));
    const again = await call('POST', '/schedules', hourly('taken'));
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain(first.id);

    const deleted = await call('DELETE', `/schedules/${first.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.schedule?.deleted_at).not.toBeNull();
    expect(deleted.body.schedule?.next_run_at).toBeNull();
    expect((await call('GET', `/schedules/${first.id}`)).body.schedule?.deleted_at).toBe(deleted.body.schedule?.deleted_at);
    expect((await call('GET', `/schedules/${first.id}/runs`)).status).toBe(200);
    expect((await call('DELETE', `/schedules/${first.id}`)).status).toBe(404);
    expect((await call('POST', `/schedules/${first.id}/trigger`)).status).toBe(404);
    const listed = (await call('GET', '/schedules?limit=200')).body.schedules as ScheduleBody[];
    expect(listed.map((s) => s.id)).not.toContain(first.id);
    expect((await create(hourly('taken'))).id).not.toBe(first.id);
  });

  it('answers 404 for an unknown or malformed id on every route', async () => {
    for (const id of ['999999999', 'abc', '0', '99999999999999999999']) {
      const answers = [
        await call('GET', `/schedules/${id}`),
        await call('PUT', `/schedules/${id}`, hourly('ghost')),
        await call('DELETE', `/schedules/${id}`),
        await call('POST', `/schedules/${id}/pause`, { reason: 'r' }),
        await call('POST', `/schedules/${id}/resume`),
        await call('POST', `/schedules/${id}/trigger`),
        await call('GET', `/schedules/${id}/runs`),
        await call('GET', `/schedules/${id}/preview`),
      ];
      expect(answers.map((a) => a.status), id).toEqual(Array(8).fill(404));
      expect(answers.every((a) => a.type?.startsWith('application/problem+json') === true)).toBe(true);
    }
  });

  it('replaces a schedule: a new timing moves next_run_at, an unchanged one keeps it; a name taken by another is 409', async () => {
    const schedule = await create({ ...hourly('replace-me'), start_at: '2026-01-01T00:00:00Z' });
    const daily = await call('PUT', `/schedules/${schedule.id}`, { ...hourly('replace-me'), cron: '15 3 * * *', time_zone: 'America/New_York', priority: 4 });
    expect(daily.status).toBe(200);
    expect(daily.body.schedule).toMatchObject({ id: schedule.id, cron: '15 3 * * *', time_zone: 'America/New_York', priority: 4 });
    expect(daily.body.schedule?.next_run_at).not.toBe(schedule.next_run_at);
    expect(daily.body.schedule?.next_run_at).toMatch(/T0[78]:15:00\.000Z$/);

    const sameTiming = await call('PUT', `/schedules/${schedule.id}`, { ...hourly('replace-me'), cron: '15 3 * * *', time_zone: 'America/New_York', priority: 9 });
    expect(sameTiming.body.schedule).toMatchObject({ priority: 9, next_run_at: daily.body.schedule?.next_run_at });

    await create(hourly('other-name'));
    expect((await call('PUT', `/schedules/${schedule.id}`, hourly('other-name'))).status).toBe(409);
    expect(fields(await call('PUT', `/schedules/${schedule.id}`, { ...hourly('replace-me'), time_zone: 'Mars/Olympus' }))).toEqual(['body.time_zone']);
  });

  it('refuses to replace or delete a schedule SCHEDULES_FILE declares (409), but pauses and triggers it', async () => {
    const handlers = new HandlerRegistry(createHandlers({ fetcher: createFetcher(api.config), store: api.storage.ingestion }, []));
    const service = new ScheduleService(api.storage.schedules, handlers, createCronerEngine());
    const declared = await service.create(hourly('from-file'), 'file');
    if (!declared.ok) throw new Error(`the file schedule was refused: ${declared.reason}`);
    const { id } = declared.schedule;
    expect((await call('GET', `/schedules/${id}`)).body.schedule).toMatchObject({ origin: 'file' });
    const replaced = await call('PUT', `/schedules/${id}`, { ...hourly('from-file'), priority: 5 });
    expect(replaced.status).toBe(409);
    expect(replaced.body.detail).toContain('SCHEDULES_FILE');
    expect((await call('DELETE', `/schedules/${id}`)).status).toBe(409);
    expect((await call('GET', `/schedules/${id}`)).body.schedule).toMatchObject({ origin: 'file', priority: 0, deleted_at: null });
    expect((await call('POST', `/schedules/${id}/pause`, { reason: 'upstream down' })).status).toBe(200);
    expect((await call('POST', `/schedules/${id}/trigger`)).status).toBe(201);
  });

  it('pauses with a reason and an end, resumes from now without counting the paused span', async () => {
    const schedule = await create({ name: 'pause-me', pipeline: 'system.noop', scope: {}, interval_seconds: 1 });
    expect(fields(await call('POST', `/schedules/${schedule.id}/pause`, { reason: '' }))).toEqual(['body.reason']);
    expect(fields(await call('POST', `/schedules/${schedule.id}/pause`, { reason: 'x', until: 'tomorrow' }))).toEqual(['body.until']);

    const paused = await call('POST', `/schedules/${schedule.id}/pause`, { reason: 'provider outage', until: '2099-01-01T00:00:00+02:00' });
    expect(paused.status).toBe(200);
    expect(paused.body.schedule).toMatchObject({ paused_reason: 'provider outage', paused_until: '2098-12-31T22:00:00.000Z' });
    expect(paused.body.schedule?.paused_at).not.toBeNull();

    // Occurrences pass while it is paused (no worker fires them here).
    const stalled = Date.parse(schedule.next_run_at ?? '');
    await waitFor('two occurrences to pass', () => Date.now() > stalled + 2_000);
    const resumedAt = Date.now();
    const resumed = await call('POST', `/schedules/${schedule.id}/resume`);
    expect(resumed.status).toBe(200);
    expect(resumed.body.schedule).toMatchObject({ paused_at: null, paused_reason: null, paused_until: null });
    expect(Date.parse(resumed.body.schedule?.next_run_at ?? '')).toBeGreaterThanOrEqual(resumedAt - 1_000);

    // Resuming what is not paused changes nothing.
    const again = await call('POST', `/schedules/${schedule.id}/resume`);
    expect(again.body.schedule?.next_run_at).toBe(resumed.body.schedule?.next_run_at);
  });

  it('triggers one extra run now: 201 with the run and its job, listed among the runs', async () => {
    const schedule = await create({ ...hourly('trigger-me'), max_attempts: 7 });
    const triggered = await call('POST', `/schedules/${schedule.id}/trigger`);
    expect(triggered.status).toBe(201);
    const { run, job } = triggered.body as { run: Record<string, unknown>; job: Record<string, unknown> };
    expect(run).toMatchObject({ kind: 'triggered', due_at: null, lag_ms: null, job_id: job.id, skipped_count: 0, reason: null });
    expect(job).toMatchObject({ pipeline: 'system.noop', scope: { label: 'trigger-me' }, state: 'pending', max_attempts: 7, schedule_id: schedule.id });
    expect(triggered.location).toBe(`/internal/v1/jobs/${String(job.id)}`);

    const defaulted = await create(hourly('trigger-default'));
    const second = (await call('POST', `/schedules/${defaulted.id}/trigger`)).body as { job: { max_attempts: number } };
    expect(second.job.max_attempts).toBe(3);

    const runs = await call('GET', `/schedules/${schedule.id}/runs`);
    expect(runs.status).toBe(200);
    expect(runs.body).toMatchObject({ runs: [{ kind: 'triggered', job_id: job.id, decided_at: run.decided_at }], next_cursor: null });
    expect((await call('GET', `/schedules/${schedule.id}`)).body.schedule).toMatchObject({ last_job_id: job.id, next_run_at: schedule.next_run_at });
  });

  it('documents the body per pipeline, and Location on create and trigger', async () => {
    interface Operation {
      requestBody?: { content: Record<string, { schema: { oneOf?: { properties: { pipeline: { enum: string[] } } }[] } }> };
      responses: Record<string, { headers?: Record<string, unknown> }>;
    }
    const document = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, Record<string, Operation>> };
    for (const operation of [document.paths['/internal/v1/schedules']?.post, document.paths['/internal/v1/schedules/{id}']?.put]) {
      const members = operation?.requestBody?.content['application/json']?.schema.oneOf ?? [];
      expect(members.map((m) => m.properties.pipeline.enum[0])).toEqual(['system.noop']);
    }
    expect(Object.keys(document.paths['/internal/v1/schedules']?.post?.responses['201']?.headers ?? {})).toContain('Location');
    expect(Object.keys(document.paths['/internal/v1/schedules/{id}/trigger']?.post?.responses['201']?.headers ?? {})).toContain('Location');
  });

  it('lists a fired run with its due time, the time it fired and the lag between them', async () => {
    const schedule = await create({ name: 'every-second', pipeline: 'system.noop', scope: {}, interval_seconds: 1 });
    const engine = createCronerEngine();
    // What a worker's firing pass does, once the first occurrence is due.
    await waitFor('the first occurrence to fire', async () => {
      await api.storage.schedules.fireDueSchedules({ limit: 50, defaultMaxAttempts: 3, decide: (due, now) => decideFiring(engine, due, now) });
      return (await api.storage.schedules.listScheduleRuns(schedule.id, { limit: 1 })).runs.length > 0;
    });
    const runs = (await call('GET', `/schedules/${schedule.id}/runs`)).body.runs as Record<string, unknown>[];
    const fired = runs.find((run) => run.kind === 'fired');
    expect(fired).toMatchObject({ due_at: expect.any(String) as unknown, job_id: expect.stringMatching(/^\d+$/) as unknown, skipped_count: 0 });
    expect(fired?.lag_ms).toBe(Date.parse(String(fired?.decided_at)) - Date.parse(String(fired?.due_at)));
    expect(fired?.lag_ms).toBeGreaterThanOrEqual(0);
  });

  it('previews occurrences in UTC and local time, flagging the one the Stockholm spring gap moved', async () => {
    const schedule = await create({ name: 'stockholm-0230', pipeline: 'system.noop', scope: {}, cron: '30 2 * * *', time_zone: 'Europe/Stockholm' });
    const preview = await call('GET', `/schedules/${schedule.id}/preview?count=3&from=2026-03-28T00:00:00Z`);
    expect(preview.status).toBe(200);
    expect(preview.body.occurrences).toEqual([
      { at: '2026-03-28T01:30:00.000Z', local: '2026-03-28T02:30:00+01:00', dst_adjustment: null, fire_at: '2026-03-28T01:30:00.000Z' },
      { at: '2026-03-29T01:00:00.000Z', local: '2026-03-29T03:00:00+02:00', dst_adjustment: 'shifted_out_of_gap', fire_at: '2026-03-29T01:00:00.000Z' },
      { at: '2026-03-30T00:30:00.000Z', local: '2026-03-30T02:30:00+02:00', dst_adjustment: null, fire_at: '2026-03-30T00:30:00.000Z' },
    ]);
    const byDefault = (await call('GET', `/schedules/${schedule.id}/preview`)).body.occurrences as { at: string }[];
    expect(byDefault).toHaveLength(10);
    expect(byDefault[0]?.at).toBe(schedule.next_run_at);
    expect(fields(await call('GET', `/schedules/${schedule.id}/preview?count=0`))).toEqual(['query.count']);
    expect(fields(await call('GET', `/schedules/${schedule.id}/preview?count=101`))).toEqual(['query.count']);
    expect(fields(await call('GET', `/schedules/${schedule.id}/preview?from=yesterday`))).toEqual(['query.from']);
  });
});
