import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, startApp } from '../support/run-app.js';
import { waitFor } from '../support/wait-for.js';

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

/**
 * Runs npm start's entry until its output contains `until`, then stops it. With `terminal`, stdout
 * is a pseudo-terminal (util-linux `script`), as when a person runs it in a shell.
 */
async function runServerUntil(env: Record<string, string>, until: string, terminal: boolean): Promise<string> {
  const command = [process.execPath, '--import', 'tsx', 'apps/server/main.ts'];
  const child = spawn(terminal ? 'script' : command[0]!, terminal ? ['-qfec', command.join(' '), '/dev/null'] : command.slice(1), {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so `script` and the server under it stop together
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  try {
    await waitFor(`"${until}" in the output`, () => output.includes(until), 60_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${output}`);
    });
  } finally {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    await exited;
  }
  return output;
}

describe('LOG_FORMAT', () => {
  it('pretty: a readable line per entry, time, level and message first, no JSON', async () => {
    const env = { DATABASE_DSN: join(dir, 'pretty.db'), HTTP_PORT: '0', LOG_FORMAT: 'pretty' };
    const output = await runServerUntil(env, 'API listening', false);
    expect(output).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: API listening \{.*"url":"http:\/\/127\.0\.0\.1:\d+"/m);
    expect(output).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: ALLOW_INSECURE_INTERNAL_AUTH=true/m);
    expect(output.split('\n').filter((line) => line.startsWith('{'))).toEqual([]);
  });

  it('npm start writes pretty lines when stdout is a terminal, and JSON when it is not', async () => {
    const onTerminal = await runServerUntil({ DATABASE_DSN: join(dir, 'tty.db'), HTTP_PORT: '0' }, 'API listening', true);
    expect(onTerminal).toMatch(/INFO.*: .*API listening/);
    expect(onTerminal).not.toContain('"msg":"API listening"');
    const piped = await runServerUntil({ DATABASE_DSN: join(dir, 'piped.db'), HTTP_PORT: '0' }, 'API listening', false);
    expect(piped).toContain('"msg":"API listening"');
  });
});
