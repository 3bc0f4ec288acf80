import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runApp, startApp } from '../support/run-app.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

const dir = mkdtempSync(join(tmpdir(), 'api-exposure-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** This machine's own non-loopback address, so the refused bind is one that would have worked. */
const lanAddress =
  Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry !== undefined && !entry.internal && entry.family === 'IPv4')?.address ?? '192.0.2.10';

const insecure = (host: string) => ({
  DATABASE_DRIVER: 'sqlite',
  DATABASE_DSN: ':memory:',
  ALLOW_INSECURE_INTERNAL_AUTH: 'true',
  HTTP_HOST: host,
  HTTP_PORT: '0',
});

describe('the API without a token', () => {
  it.each(['0.0.0.0', '::', '0:0:0:0:0:0:0:0', lanAddress])('refuses to listen on %s: exit 78 naming both variables', async (host) => {
    const run = await runApp('apps/api/main.ts', insecure(host), 30_000);
    expect(run.code).toBe(78);
    expect(run.stderr).toContain('HTTP_HOST');
    expect(run.stderr).toContain('ALLOW_INSECURE_INTERNAL_AUTH');
    expect(run.stdout).not.toContain('API listening');
  });

  it('refuses in npm start too, before migrating or starting a worker', async () => {
    const database = join(dir, 'refused.db');
    const run = await runApp('apps/server/main.ts', { DATABASE_DSN: database, HTTP_HOST: '0.0.0.0', HTTP_PORT: '0' }, 30_000);
    expect(run.code).toBe(78);
    expect(run.stderr).toContain('HTTP_HOST');
    expect(run.stderr).toContain('ALLOW_INSECURE_INTERNAL_AUTH');
    expect(existsSync(database)).toBe(false);
  });

  it.each([
    ['127.0.0.2', /^http:\/\/127\.0\.0\.2:\d+$/],
    ['::1', /^http:\/\/\[::1\]:\d+$/],
    ['localhost', /^http:\/\/(127\.\d+\.\d+\.\d+|\[::1\]):\d+$/],
  ])('listens on loopback %s and logs the bound address', async (host, expected) => {
    const app = await startApp('apps/api/main.ts', insecure(host), 'API listening');
    try {
      const url = String(app.line.url);
      expect(url).toMatch(expected);
      expect((await fetch(`${url}/internal/v1/health/live`)).status).toBe(200);
    } finally {
      expect((await app.stop()).code).toBe(0);
    }
  });

  it('npm start listens on loopback and logs where', async () => {
    const app = await startApp('apps/server/main.ts', { DATABASE_DSN: join(dir, 'started.db'), HTTP_PORT: '0' }, 'API listening');
    try {
      const url = String(app.line.url);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${url}/internal/v1/health/ready`)).status).toBe(200);
    } finally {
      expect((await app.stop()).code).toBe(0);
    }
  });

  it('npm start delivers webhooks to a receiver on loopback', async () => {
    const secret = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;
    const receiver = new WebhookReceiver([secret]);
    await receiver.start();
    const app = await startApp('apps/server/main.ts', { DATABASE_DSN: join(dir, 'webhooks.db'), HTTP_PORT: '0' }, 'API listening');
    try {
      const url = String(app.line.url);
      const post = (path: string, body: object) =>
        fetch(`${url}/internal/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const created = (await (await post('/webhooks', { url: receiver.url, secret })).json()) as { webhook: { id: string } };
      const tested = (await (await post(`/webhooks/${created.webhook.id}/test`, {})).json()) as { test: { outcome: string } };
      expect(tested.test).toMatchObject({ outcome: 'succeeded' });
      expect(receiver.receipts.at(-1)).toMatchObject({ verified: true });
    } finally {
      expect((await app.stop()).code).toBe(0);
      await receiver.stop();
    }
  });
});

describe('the API with a token', () => {
  it('may listen on every interface', async () => {
    const app = await startApp(
      'apps/api/main.ts',
      { ...insecure('0.0.0.0'), ALLOW_INSECURE_INTERNAL_AUTH: 'false', INTERNAL_AUTH_TOKEN: 'a-token-of-sixteen-or-more' },
      'API listening',
    );
    try {
      expect(String(app.line.url)).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
    } finally {
      expect((await app.stop()).code).toBe(0);
    }
  });
});
