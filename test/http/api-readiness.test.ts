import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startApp, type AppRun, type StartedApp } from '../support/run-app.js';
import { sleep } from '../support/wait-for.js';
import { acceptedPassword } from '../support/test-databases.js';

/** Accepted by the test server, so a missing database is what fails, and looked for in every answer. */
const password = () => acceptedPassword('Readiness-Pw-7731');
const dir = mkdtempSync(join(tmpdir(), 'api-readiness-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The API process, open on loopback, against `database`; it starts without touching the database. */
function startApi(database: Record<string, string>): Promise<StartedApp> {
  return startApp(
    'apps/api/main.ts',
    { ...database, INTERNAL_AUTH_TOKEN: 'a-token-of-sixteen-or-more', HTTP_HOST: '127.0.0.1', HTTP_PORT: '0' },
    'API listening',
  );
}

function logLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const server = () => new URL(inject('postgresUrl'));

describe('readiness tells strangers nothing about the database', () => {
  it.each([
    {
      name: 'a database that does not exist',
      dsn: () => {
        const url = server();
        url.pathname = '/no_such_database_for_readiness';
        url.search = `?password=${password()}`;
        return url.toString();
      },
      logged: /no_such_database_for_readiness/,
    },
    { name: 'a server that refuses connections', dsn: () => `postgres://postgres:${password()}@127.0.0.1:1/ingest`, logged: /ECONNREFUSED/ },
  ])('$name: 503 "database unavailable", the detail only in the log', async ({ dsn, logged }) => {
    const given = dsn();
    const app = await startApi({ DATABASE_DRIVER: 'postgres', DATABASE_DSN: given });
    const bodies: string[] = [];
    let run: AppRun;
    try {
      const url = String(app.line.url);
      const first = await fetch(`${url}/internal/v1/health/ready`);
      expect(first.status).toBe(503);
      expect(first.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      bodies.push(await first.text());
      await sleep(1_200); // past the one-second cache, so the second probe checks again
      const second = await fetch(`${url}/internal/v1/health/ready`);
      expect(second.status).toBe(503);
      bodies.push(await second.text());
    } finally {
      run = await app.stop();
    }
    for (const body of bodies) {
      expect(JSON.parse(body)).toMatchObject({ status: 503, detail: 'not ready: database unavailable' });
      const { hostname, port } = new URL(given);
      for (const leak of [hostname, `:${port}`, 'no_such_database', 'postgres://', password(), 'ECONNREFUSED', 'does not exist']) {
        expect(body).not.toContain(leak);
      }
    }
    const warnings = logLines(run.stdout).filter((line) => line.msg === 'not ready');
    expect(warnings).toHaveLength(1); // once per change of state, not once per probe
    expect(warnings[0]).toMatchObject({ level: 'warn', checks: { database: 'unavailable' } });
    expect(String(warnings[0]?.detail)).toMatch(logged);
    expect(run.stdout + run.stderr).not.toContain(password());
  });

  it('pending migrations: 503 "migrations pending", without their names', async () => {
    const app = await startApi({ DATABASE_DRIVER: 'sqlite', DATABASE_DSN: join(dir, 'unmigrated.db') });
    let body: string;
    let run: AppRun;
    try {
      const response = await fetch(`${String(app.line.url)}/internal/v1/health/ready`);
      expect(response.status).toBe(503);
      body = await response.text();
    } finally {
      run = await app.stop();
    }
    expect(JSON.parse(body)).toMatchObject({ status: 503, detail: 'not ready: migrations pending' });
    expect(body).not.toMatch(/0001/);
    const warning = logLines(run.stdout).find((line) => line.msg === 'not ready');
    expect(String(warning?.detail)).toMatch(/migrations pending: 0001/);
  });
});
