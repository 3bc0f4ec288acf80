import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp } from '../support/app-process.js';
import { OtlpReceiver, SPAN_KIND } from '../support/otlp-receiver.js';
import { PROJECT_ROOT } from '../support/run-app.js';
import { waitFor } from '../support/wait-for.js';

const RECORDER = `${PROJECT_ROOT}test/support/record-loaded-modules.mjs`;
/** What tracing would load: the SDK, the instrumentations, their hooks, and our code around them. */
const TRACING_MODULE = /\/node_modules\/(@opentelemetry\/|@fastify\/otel\/|import-in-the-middle\/|require-in-the-middle\/)|\/src\/platform\/otel\//;
/** What the instrumentations patch or listen to; they must load after it. */
const INSTRUMENTED_MODULE = /\/node_modules\/(fastify\/fastify\.js|pg\/esm\/|undici\/index\.js)/;

/**
 * `npm start`'s process (API and worker in one) with a module loader hook that records every
 * module it loads: without an OTLP endpoint nothing of OpenTelemetry is loaded; with one, all of
 * it is, before Fastify, pg and undici, and the process exports its spans.
 */
describe('tracing off by default', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracing-off-'));
  const receiver = new OtlpReceiver();
  beforeAll(async () => {
    await receiver.start();
  });
  afterAll(async () => {
    await receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the local server, enqueues one system.noop job, waits for it to succeed, stops; returns the modules it loaded. */
  async function serveOneJob(name: string, env: Record<string, string>): Promise<string[]> {
    const modules = join(dir, `${name}.modules`);
    const app = startApp('apps/server/main.ts', {
      DATABASE_DSN: join(dir, `${name}.db`),
      HTTP_PORT: '0',
      WORKER_POLL_INTERVAL_SEC: '0.1',
      LOADED_MODULES_FILE: modules,
      NODE_OPTIONS: `--import=${RECORDER}`,
      ...env,
    });
    try {
      const { url } = JSON.parse(await app.waitForLog(/"msg":"API listening"/)) as { url: string };
      const answer = await fetch(`${url}/internal/v1/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ pipeline: 'system.noop', scope: { label: name } }),
      });
      const { job } = (await answer.json()) as { job: { id: string } };
      await waitFor('the job to succeed', async () => {
        const read = (await (await fetch(`${url}/internal/v1/jobs/${job.id}`)).json()) as { job: { state: string } };
        return read.job.state === 'succeeded';
      });
    } finally {
      expect((await app.stop()).code).toBe(0);
    }
    return readFileSync(modules, 'utf8').split('\n').filter((line) => line !== '');
  }

  it('loads no OpenTelemetry module and installs no hook when OTEL_EXPORTER_OTLP_ENDPOINT is unset', async () => {
    const loaded = await serveOneJob('off', {});
    // The recorder sees the process's own modules and the instrumentable ones...
    expect(loaded.some((url) => url.endsWith('/src/platform/tracing.ts'))).toBe(true);
    expect(loaded.filter((url) => INSTRUMENTED_MODULE.test(url)).length).toBeGreaterThanOrEqual(2);
    // ...and nothing of tracing.
    expect(loaded.filter((url) => TRACING_MODULE.test(url))).toEqual([]);
    expect(receiver.spans).toEqual([]);
  });

  it('loads the SDK before Fastify, pg and undici when the endpoint is set, and exports the server and job spans', async () => {
    const loaded = await serveOneJob('on', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.origin, OTEL_BSP_SCHEDULE_DELAY: '100' });
    const firstInstrumented = loaded.findIndex((url) => INSTRUMENTED_MODULE.test(url));
    const tracing = loaded.filter((url) => TRACING_MODULE.test(url));
    expect(tracing.some((url) => url.includes('/@opentelemetry/sdk-trace-node/'))).toBe(true);
    expect(firstInstrumented).toBeGreaterThan(-1);
    expect(loaded.findIndex((url) => url.includes('/@opentelemetry/instrumentation-pg/'))).toBeLessThan(firstInstrumented);
    expect(loaded.findIndex((url) => url.includes('/@fastify/otel/'))).toBeLessThan(firstInstrumented);

    const job = await waitFor('the job span', () => receiver.spans.find((s) => s.name === 'job system.noop'));
    expect(job).toMatchObject({ kind: SPAN_KIND.consumer, resource: { 'service.name': 'ingestion-adapter-server' }, attributes: { 'job.pipeline': 'system.noop' } });
    expect(receiver.spans.find((s) => s.name === 'POST /internal/v1/jobs')).toMatchObject({ kind: SPAN_KIND.server, resource: { 'service.name': 'ingestion-adapter-server' } });
  });
});
