import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startApp } from '../support/run-app.js';

const dir = mkdtempSync(join(tmpdir(), 'startup-logs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const jsonLines = (stdout: string) =>
  stdout
    .split('\n')
    .filter((text) => text.startsWith('{'))
    .map((text) => JSON.parse(text) as Record<string, unknown>);

const OVERRIDE_ACTIVE = 'SMOOTHCOMP_BASE_URL_OVERRIDE is active: requests to these hosts go to that origin instead';

describe('npm start logs', () => {
  it('says once, at info, that the Smoothcomp origin override is active: which hosts go where', async () => {
    const env = { DATABASE_DSN: join(dir, 'override.db'), HTTP_PORT: '0', SMOOTHCOMP_BASE_URL_OVERRIDE: 'http://127.0.0.1:8090' };
    const app = await startApp('apps/server/main.ts', env, 'API listening');
    const run = await app.stop();
    const lines = jsonLines(run.stdout).filter((line) => line.msg === OVERRIDE_ACTIVE);
    expect(lines, run.stdout).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      provider: 'smoothcomp',
      origin: 'http://127.0.0.1:8090',
      hosts: ['smoothcomp.com', '*.smoothcomp.com', 'ajptour.com'],
    });
  });

  it('says nothing about an override when none is set', async () => {
    const app = await startApp('apps/server/main.ts', { DATABASE_DSN: join(dir, 'plain.db'), HTTP_PORT: '0' }, 'API listening');
    const run = await app.stop();
    expect(run.stdout).toContain('API listening');
    expect(run.stdout).not.toContain('OVERRIDE');
  });
});
