import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplayServer } from '../../apps/replay/replay-server.js';
import { PrometheusMetrics } from '../../src/adapters/metrics/prometheus-metrics.js';
import { loadConfig } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { startAllInOne } from '../../src/platform/start-all-in-one.js';
import { parseSamples, sample, type Samples } from '../support/prometheus-text.js';
import { PROJECT_ROOT } from '../support/run-app.js';
import { waitFor } from '../support/wait-for.js';

const TOKEN = 'metrics-test-token-0123456789';
const PIPELINE = 'smoothcomp.event_detail';
const HOST = 'ibjjf.smoothcomp.com';

/**
 * GET /metrics as an operator's Prometheus sees it: a real service (API and worker in one process,
 * one registry) fetching from the replay origin over loopback.
 */
describe('GET /metrics', () => {
  const dir = mkdtempSync(join(tmpdir(), 'metrics-'));
  let replay: ReplayServer;
  let service: { apiUrl: string; stop: () => Promise<void> };

  beforeAll(async () => {
    replay = await new ReplayServer().start();
    const config = loadConfig({
      DATABASE_DRIVER: 'sqlite',
      DATABASE_DSN: join(dir, 'metrics.db'),
      DATABASE_RUN_MIGRATIONS: 'true',
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      INTERNAL_AUTH_TOKEN: TOKEN,
      SMOOTHCOMP_BASE_URL_OVERRIDE: replay.origin,
      SMOOTHCOMP_REQUESTS_PER_MINUTE: '10000',
      WORKER_POLL_INTERVAL_SEC: '0.1',
      WORKER_SHUTDOWN_TIMEOUT_SEC: '2',
    });
    service = await startAllInOne(config, createLogger('silent'));
  });
  afterAll(async () => {
    await service.stop();
    await replay.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const scrape = async (): Promise<Samples> => {
    const response = await fetch(`${service.apiUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    return parseSamples(await response.text());
  };

  /** Enqueues through the API and waits for the job to end; its final state. */
  const ingest = async (eventId: string): Promise<string> => {
    const response = await fetch(`${service.apiUrl}/internal/v1/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ pipeline: PIPELINE, scope: { host: HOST, event_id: eventId }, max_attempts: 1 }),
    });
    expect(response.status).toBe(201);
    const { job } = (await response.json()) as { job: { id: string } };
    return waitFor(`job ${job.id} to end`, async () => {
      const details = await fetch(`${service.apiUrl}/internal/v1/jobs/${job.id}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      const { job: current } = (await details.json()) as { job: { state: string } };
      return ['pending', 'running'].includes(current.state) ? undefined : current.state;
    });
  };

  it('needs the token, like the rest of the API', async () => {
    const response = await fetch(`${service.apiUrl}/metrics`);
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
  });

  it("counts the API's enqueues and the worker's outcomes, fetches and publication decisions in one scrape", async () => {
    const before = await scrape();
    expect(sample(before, 'ingest_queue_stats_up')).toBe(1);
    expect(before.get(`ingest_queue_jobs{pipeline="${PIPELINE}",state="pending"}`)).toBe(0);
    expect(before.get(`ingest_queue_oldest_runnable_age_seconds{pipeline="${PIPELINE}"}`)).toBe(0);
    expect(before.has('process_cpu_user_seconds_total')).toBe(true);
    expect(before.has('nodejs_heap_size_used_bytes')).toBe(true);

    // Published, then unchanged; an event the origin does not have fails on its 404.
    expect(await ingest('21001')).toBe('succeeded');
    expect(await ingest('21001')).toBe('succeeded');
    const missing = await ingest('404404');

    const after = await scrape();
    const labels = { pipeline: PIPELINE };
    expect({
      enqueued: sample(after, 'ingest_jobs_enqueued_total', labels),
      succeeded: sample(after, 'ingest_jobs_finished_total', { ...labels, outcome: 'succeeded' }),
      missing: sample(after, 'ingest_jobs_finished_total', { ...labels, outcome: missing }),
      durations: sample(after, 'ingest_job_duration_seconds_count', labels),
      published: sample(after, 'ingest_publication_decisions_total', { ...labels, decision: 'PUBLISH_CHANGED' }),
      unchanged: sample(after, 'ingest_publication_decisions_total', { ...labels, decision: 'SKIP_NO_CHANGE' }),
      not_found: sample(after, 'ingest_fetch_requests_total', { host: HOST, outcome: '4xx' }),
      pending: sample(after, 'ingest_queue_jobs', { ...labels, state: 'pending' }),
      ended_as_missing: sample(after, 'ingest_queue_jobs', { ...labels, state: missing }),
    }).toEqual({
      enqueued: 3,
      succeeded: 2,
      missing: 1,
      durations: 3,
      published: 1,
      unchanged: 1,
      not_found: 1,
      pending: 0,
      ended_as_missing: 1,
    });
    expect(['failed', 'exhausted']).toContain(missing);
    // Every fetch is counted and timed, under the host the pipeline asked for (not the replay origin's).
    const fetches = [...after.entries()].filter(([key]) => key.startsWith(`ingest_fetch_requests_total{host="${HOST}",`));
    expect(sample(after, 'ingest_fetch_requests_total', { host: HOST, outcome: '2xx' })).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'ingest_fetch_duration_seconds_count', { host: HOST })).toBe(fetches.reduce((sum, [, n]) => sum + n, 0));
    expect([...after.keys()].some((key) => key.includes('127.0.0.1'))).toBe(false);
  });
});

describe('the README on metrics', () => {
  it('documents every metric of ours the service exports, and no other', async () => {
    const metrics = new PrometheusMetrics({
      queue: { repository: { queueStats: () => Promise.resolve([]) }, pipelines: [], timeoutMs: 1_000, onError: () => undefined },
    });
    const exported = (await metrics.registry.getMetricsAsJSON()).map((m) => m.name).filter((name) => name.startsWith('ingest_'));
    const readme = readFileSync(`${PROJECT_ROOT}README.md`, 'utf8');
    const documented = [...readme.matchAll(/^\| `(ingest_[a-z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.toSorted()).toEqual(exported.toSorted());
  });
});
