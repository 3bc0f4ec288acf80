import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpReceiver, SPAN_KIND } from '../support/otlp-receiver.js';
import { PROJECT_ROOT, startApp } from '../support/run-app.js';
import { createPostgresDatabase } from '../support/test-databases.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The Docker image runs the compiled apps from a directory holding the build output, package.json
 * and migrations/. This builds that layout and runs it, so the image's assumptions are tested
 * here even where no container engine exists.
 */
describe('the production build', () => {
  const root = mkdtempSync(join(tmpdir(), 'ia-build-'));
  const out = join(root, 'app');
  beforeAll(() => {
    execFileSync(process.execPath, [join(PROJECT_ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(PROJECT_ROOT, 'tsconfig.build.json'), '--outDir', out], {
      cwd: PROJECT_ROOT,
      stdio: 'pipe',
    });
    cpSync(join(PROJECT_ROOT, 'package.json'), join(out, 'package.json'));
    cpSync(join(PROJECT_ROOT, 'migrations'), join(out, 'migrations'), { recursive: true });
    symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(out, 'node_modules'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('compiles and runs the migrate app from the image layout', () => {
    const output = execFileSync(process.execPath, ['apps/migrate/main.js'], {
      cwd: out,
      env: { PATH: process.env.PATH ?? '', DATABASE_DRIVER: 'sqlite', DATABASE_DSN: join(root, 'image.db') },
      encoding: 'utf8',
    });
    expect(output).toMatch(/^migrate: applied 0001_job_ledger(, [0-9]{4}_[a-z0-9_]+)* to /);
  });

  it('traces Fastify requests and pg queries when the compiled API runs under plain node', async () => {
    const receiver = await new OtlpReceiver().start();
    const database = await createPostgresDatabase();
    try {
      const api = await startApp(
        'apps/api/main.js',
        {
          DATABASE_DRIVER: 'postgres',
          DATABASE_DSN: database.dsn,
          DATABASE_RUN_MIGRATIONS: 'true',
          HTTP_HOST: '127.0.0.1',
          HTTP_PORT: '0',
          ALLOW_INSECURE_INTERNAL_AUTH: 'true',
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.origin,
          OTEL_BSP_SCHEDULE_DELAY: '100',
        },
        'API listening',
        60_000,
        { compiled: { cwd: out } },
      );
      const ready = await fetch(`${String(api.line.url)}/internal/v1/health/ready`);
      expect(ready.status).toBe(200);
      const request = await waitFor('the request span', () => receiver.spans.find((s) => s.name === 'GET /internal/v1/health/ready'));
      expect(request).toMatchObject({ kind: SPAN_KIND.server, resource: { 'service.name': 'ingestion-adapter-api' } });
      await waitFor('a query span under it', () =>
        receiver.spans.find((s) => s.scope === '@opentelemetry/instrumentation-pg' && s.parentSpanId === request.spanId && s.attributes['db.query.text'] !== undefined),
      );
      expect((await api.stop()).code).toBe(0);
    } finally {
      await receiver.stop();
      await database.drop();
    }
  });
});
