import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { migrateDatabase } from '../../src/platform/storage.js';
import { startApp, type AppProcess } from '../support/app-process.js';
import { parseSamples, sample } from '../support/prometheus-text.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { createPostgresDatabase, type TestDatabase } from '../support/test-databases.js';
import { waitFor } from '../support/wait-for.js';

interface Probe {
  status: number;
  body: Record<string, unknown>;
}

async function probe(url: string): Promise<Probe> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The worker process's health endpoints, over loopback, with its database behind a relay a test can cut. */
describe('worker health endpoints', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let worker: AppProcess | undefined;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    await migrateDatabase({ driver: 'postgres', dsn: database.dsn, runMigrations: true, maxOpenConns: 2, maxIdleConns: 0, connMaxLifetimeSec: 0 });
    proxy = await TcpProxy.inFrontOf(database.dsn);
  });
  afterEach(async () => {
    await worker?.stop(5_000);
    worker = undefined;
    await proxy.restore();
  });
  afterAll(async () => {
    await proxy.close();
    await database.drop();
  });

  const start = async (extra: Record<string, string> = {}) => {
    worker = startApp('apps/worker/main.ts', {
      DATABASE_DRIVER: 'postgres',
      DATABASE_DSN: proxy.rewrite(database.dsn),
      WORKER_POLL_INTERVAL_SEC: '0.2',
      WORKER_SHUTDOWN_TIMEOUT_SEC: '2',
      WORKER_HTTP_PORT: '0',
      LOG_LEVEL: 'info',
      ...extra,
    });
    const line = await worker.waitForLog(/"msg":"worker health listening on /);
    const { url } = JSON.parse(line) as { url: string };
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:[0-9]+$/);
    return url;
  };

  it('reports live and ready with a healthy database, not ready while it is cut, and ready again after', async () => {
    const url = await start();
    const ready = await waitFor('the worker to be ready', async () => {
      const answer = await probe(`${url}/health/ready`);
      return answer.status === 200 ? answer : undefined;
    });
    expect(ready.body).toMatchObject({ status: 'ready', draining: false, in_flight: 0, checks: { database: 'ok', claim_loop: 'ok' } });
    expect(typeof ready.body.last_poll_at).toBe('string');
    expect(JSON.stringify(ready.body)).not.toContain('postgres');
    expect((await probe(`${url}/health/live`)).status).toBe(200);

    await proxy.cut();
    const cut = await waitFor('readiness to fail while the database is cut', async () => {
      const answer = await probe(`${url}/health/ready`);
      return answer.status === 503 ? answer : undefined;
    });
    expect(cut.body).toMatchObject({ status: 'not_ready' });
    expect(String((cut.body.checks as Record<string, string>).database)).toMatch(/^unreachable since /);
    const live = await probe(`${url}/health/live`);
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ status: 'ok' });

    await proxy.restore();
    await waitFor('readiness to return with the database', async () => (await probe(`${url}/health/ready`)).status === 200);

    const run = await worker!.stop();
    worker = undefined;
    expect(run.code).toBe(0);
  });

  it('serves nothing but the health routes and the metrics', async () => {
    const url = await start();
    expect((await fetch(`${url}/internal/v1/jobs`)).status).toBe(404);
    expect((await fetch(`${url}/health/ready`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${url}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it("serves the worker's metrics, with the queue gauges read from its database", async () => {
    const url = await start();
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const samples = parseSamples(await response.text());
    expect(sample(samples, 'ingest_queue_stats_up')).toBe(1);
    // Every pipeline the build registers has its series from the start, at zero.
    expect(samples.get('ingest_queue_jobs{pipeline="smoothcomp.event_detail",state="pending"}')).toBe(0);
    expect(samples.has('process_resident_memory_bytes')).toBe(true);
  });

  it('has no listener unless WORKER_HTTP_PORT is set', async () => {
    worker = startApp('apps/worker/main.ts', {
      DATABASE_DRIVER: 'postgres',
      DATABASE_DSN: proxy.rewrite(database.dsn),
      LOG_LEVEL: 'info',
    });
    await worker.waitForLog(/"msg":"worker started"/);
    const run = await worker.stop();
    worker = undefined;
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('"msg":"shut down cleanly"');
    expect(run.stdout).not.toContain('worker health listening');
  });

  it('shuts down cleanly when SIGTERM arrives while it is still starting', async () => {
    worker = startApp('apps/worker/main.ts', {
      DATABASE_DRIVER: 'postgres',
      DATABASE_DSN: proxy.rewrite(database.dsn),
      LOG_LEVEL: 'info',
    });
    // Its first line comes from preparing the database, well before the worker is running.
    await worker.waitForLog(/"msg"/);
    const run = await worker.stop();
    worker = undefined;
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('"msg":"shut down cleanly"');
  });
});
