import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { migrateDatabase } from '../../src/platform/storage.js';
import { startApp, type AppProcess } from '../support/app-process.js';
import { FixtureServer } from '../support/fixture-server.js';
import { OtlpReceiver, SPAN_KIND, type ReceivedSpan } from '../support/otlp-receiver.js';
import { PROJECT_ROOT, runApp } from '../support/run-app.js';
import { createPostgresDatabase, type TestDatabase } from '../support/test-databases.js';
import { waitFor } from '../support/wait-for.js';

const EVENT_DETAIL = `${PROJECT_ROOT}testdata/smoothcomp/event_detail`;
const REQUEST_ID = 'trace-test-request-1';
const SECRET = 's3cret-query-value';

const isPg = (span: ReceivedSpan) => span.scope === '@opentelemetry/instrumentation-pg';
const isUndici = (span: ReceivedSpan) => span.scope === '@opentelemetry/instrumentation-undici';

/**
 * The API and a worker as real processes against PostgreSQL, exporting to an OTLP/HTTP receiver on
 * loopback: an enqueue over HTTP, then the job fetching from a loopback origin and writing its
 * snapshots. Asserts the spans a collector would get.
 */
describe('OpenTelemetry traces', () => {
  let database: TestDatabase;
  const receiver = new OtlpReceiver();
  const source = new FixtureServer();
  const apps: AppProcess[] = [];

  beforeAll(async () => {
    database = await createPostgresDatabase();
    await migrateDatabase({ driver: 'postgres', dsn: database.dsn, runMigrations: true, maxOpenConns: 2, maxIdleConns: 0, connMaxLifetimeSec: 0 });
    await receiver.start();
    await source.start();
    source.route('/en/event/21003', (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(readFileSync(`${EVENT_DETAIL}/event-21003-page.html`));
    });
    source.route('/en/event/21003/getInfoPanelsData', (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(readFileSync(`${EVENT_DETAIL}/event-21003-info.json`));
    });
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.stop(5_000)));
  });
  afterAll(async () => {
    await source.stop();
    await receiver.stop();
    await database.drop();
  });

  const common = () => ({ DATABASE_DRIVER: 'postgres', DATABASE_DSN: database.dsn, LOG_LEVEL: 'info' });

  it('exports request, query, fetch and job spans from the API and the worker, none carrying a secret or a parameter value', async () => {
    const api = startApp('apps/api/main.ts', {
      ...common(),
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      ALLOW_INSECURE_INTERNAL_AUTH: 'true',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.origin,
      OTEL_SERVICE_NAME: 'ingest-api-under-test',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    apps.push(api);
    const worker = startApp('apps/worker/main.ts', {
      ...common(),
      WORKER_POLL_INTERVAL_SEC: '0.2',
      WORKER_SHUTDOWN_TIMEOUT_SEC: '2',
      SMOOTHCOMP_BASE_URL_OVERRIDE: source.origin,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.origin}/v1/traces`,
      OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-key=worker-key',
      // Nothing is exported until shutdown, which must flush what is pending.
      OTEL_BSP_SCHEDULE_DELAY: '600000',
    });
    apps.push(worker);
    const { url } = JSON.parse(await api.waitForLog(/"msg":"API listening"/)) as { url: string };
    const announced = JSON.parse(await api.waitForLog(/"msg":"tracing: spans exported over OTLP\/HTTP"/)) as Record<string, unknown>;
    expect(announced).toMatchObject({ endpoint: `${receiver.origin}/v1/traces`, service_name: 'ingest-api-under-test' });
    await worker.waitForLog(/"msg":"worker started"/);

    const enqueued = await fetch(`${url}/internal/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': REQUEST_ID },
      body: JSON.stringify({ pipeline: 'smoothcomp.event_detail', scope: { host: 'smoothcomp.com', event_id: '21003' } }),
    });
    expect(enqueued.status).toBe(201);
    const jobId = ((await enqueued.json()) as { job: { id: string } }).job.id;
    await waitFor(
      'the job to succeed',
      async () => {
        const answer = await fetch(`${url}/internal/v1/jobs/${jobId}?access_token=${SECRET}`);
        return ((await answer.json()) as { job: { state: string } }).job.state === 'succeeded';
      },
      30_000,
    );

    // The API's spans arrive while it runs.
    const lookup = await waitFor('the span of a job lookup', () => receiver.spans.find((s) => s.name === 'GET /internal/v1/jobs/:id'));
    const enqueue = await waitFor('the span of the enqueue', () => receiver.spans.find((s) => s.name === 'POST /internal/v1/jobs'));
    expect(enqueue).toMatchObject({
      kind: SPAN_KIND.server,
      resource: { 'service.name': 'ingest-api-under-test' },
      attributes: { 'http.route': '/internal/v1/jobs', 'http.request.method': 'POST', 'http.response.status_code': 201, 'request.id': REQUEST_ID },
    });
    expect(lookup).toMatchObject({ kind: SPAN_KIND.server, attributes: { 'http.route': '/internal/v1/jobs/:id', 'url.path': `/internal/v1/jobs/${jobId}` } });
    expect(lookup.attributes['url.query']).toBe('access_token=[redacted]');
    const enqueueQueries = await waitFor('the queries of the enqueue', () => {
      const spans = receiver.spans.filter((s) => isPg(s) && s.traceId === enqueue.traceId && typeof s.attributes['db.query.text'] === 'string');
      return spans.some((s) => /INSERT INTO ingestion_jobs/i.test(String(s.attributes['db.query.text']))) ? spans : undefined;
    });
    expect(enqueueQueries.every((s) => s.kind === SPAN_KIND.client && s.parentSpanId === enqueue.spanId)).toBe(true);
    expect(receiver.spans.filter((s) => s.resource['service.name'] === 'ingestion-adapter-worker')).toEqual([]);

    // The worker's arrive when it stops.
    const run = await worker.stop();
    expect(run.code).toBe(0);
    const job = await waitFor('the job span', () => receiver.spans.find((s) => s.name === 'job smoothcomp.event_detail'));
    expect(job).toMatchObject({
      kind: SPAN_KIND.consumer,
      parentSpanId: undefined,
      resource: { 'service.name': 'ingestion-adapter-worker', 'service.namespace': 'ingestion-adapter' },
      attributes: { 'job.id': jobId, 'job.pipeline': 'smoothcomp.event_detail', 'job.attempt': 1, 'job.correlation_id': REQUEST_ID },
    });
    const fetches = receiver.spans.filter((s) => isUndici(s) && s.traceId === job.traceId);
    expect(fetches.map((s) => s.attributes['url.full']).sort()).toEqual([`${source.origin}/en/event/21003`, `${source.origin}/en/event/21003/getInfoPanelsData`]);
    for (const span of fetches) {
      expect(span).toMatchObject({ name: 'GET', kind: SPAN_KIND.client, parentSpanId: job.spanId, attributes: { 'http.response.status_code': 200 } });
    }
    const jobQueries = receiver.spans.filter((s) => isPg(s) && s.traceId === job.traceId && s.attributes['db.query.text'] !== undefined);
    expect(jobQueries.some((s) => /INSERT INTO raw_snapshots/i.test(String(s.attributes['db.query.text'])))).toBe(true);
    expect(receiver.requestHeaders.some((headers) => headers['x-collector-key'] === 'worker-key')).toBe(true);

    // Span names carry route templates, never ids; no query secret, no SQL parameter value anywhere.
    expect(receiver.spans.map((s) => s.name).filter((name) => /\/[0-9]+(\/|$)/.test(name) || name.includes('21003'))).toEqual([]);
    expect(JSON.stringify(receiver.spans)).not.toContain(SECRET);
    const pgAttributes = JSON.stringify(receiver.spans.filter(isPg).map((s) => s.attributes));
    expect(pgAttributes).not.toContain(REQUEST_ID); // the job's correlation id, a parameter of the enqueue's INSERT
    expect(pgAttributes).not.toContain('21003'); // the scope, a parameter of the INSERT
    expect(pgAttributes).not.toContain('db.postgresql.values');
    // Our trace context stays ours: the source sees the same requests with tracing on as off.
    expect(source.requests.length).toBeGreaterThanOrEqual(2);
    expect(source.requests.filter((r) => r.headers.traceparent !== undefined || r.headers.tracestate !== undefined)).toEqual([]);
    expect(receiver.problems).toEqual([]);
  });

  it('refuses to start when the endpoint is not an http(s) URL, naming the variable', async () => {
    const run = await runApp('apps/worker/main.ts', { ...common(), OTEL_EXPORTER_OTLP_ENDPOINT: 'otel-collector:4318' });
    expect(run.code).toBe(78);
    expect(run.stderr).toContain('OTEL_EXPORTER_OTLP_ENDPOINT: must be an http(s) URL');
  });
});
