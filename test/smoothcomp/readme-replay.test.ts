import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REPLAY_PORT, ReplayServer, type ReplayRequest } from '../../apps/replay/replay-server.js';
import { loadConfig } from '../../src/platform/config.js';
import { registeredPipelines } from '../../src/platform/handlers.js';
import { createLogger } from '../../src/platform/logger.js';
import { startAllInOne } from '../../src/platform/start-all-in-one.js';
import { PROJECT_ROOT } from '../support/run-app.js';
import { waitFor } from '../support/wait-for.js';

/** The README's replay walkthrough: its text up to the next heading, and its shell blocks. */
function replaySection(): { text: string; blocks: string[] } {
  const readme = readFileSync(`${PROJECT_ROOT}README.md`, 'utf8');
  const start = readme.indexOf('\n### Replay');
  if (start === -1) throw new Error('the README has no "### Replay" section');
  const end = readme.slice(start + 1).search(/\n#{2,3} /);
  const text = end === -1 ? readme.slice(start) : readme.slice(start, start + 1 + end);
  return { text, blocks: [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '') };
}

interface Curl {
  method: 'GET' | 'POST';
  url: URL;
  body: string | undefined;
}

/** Every curl command of a shell block, continuation lines joined. */
function curls(block: string): Curl[] {
  return block
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .filter((line) => line.startsWith('curl '))
    .map((line) => {
      const url = /'?(http:\/\/[^\s']+)'?/.exec(line)?.[1];
      if (url === undefined) throw new Error(`no URL in: ${line}`);
      return { method: line.includes('-X POST') ? 'POST' : 'GET', url: new URL(url), body: /-d '([^']*)'/.exec(line)?.[1] };
    });
}

describe('the README replay walkthrough', () => {
  const { text, blocks } = replaySection();
  const commands = curls(blocks[1] ?? '');
  const enqueues = commands.filter((c) => c.method === 'POST');
  const dir = mkdtempSync(join(tmpdir(), 'readme-replay-'));
  const heard: ReplayRequest[] = [];
  let replay: ReplayServer;
  let service: { apiUrl: string; stop: () => Promise<void> };

  beforeAll(async () => {
    replay = await new ReplayServer(undefined, (request) => heard.push(request)).start();
    const config = loadConfig({
      DATABASE_DRIVER: 'sqlite',
      DATABASE_DSN: join(dir, 'walkthrough.db'),
      DATABASE_RUN_MIGRATIONS: 'true',
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      ALLOW_INSECURE_INTERNAL_AUTH: 'true',
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

  it('starts the replay origin and points npm start at the port it listens on', () => {
    expect(blocks[0]).toContain('npm run replay');
    expect(blocks[0]).toContain(`SMOOTHCOMP_BASE_URL_OVERRIDE=http://127.0.0.1:${DEFAULT_REPLAY_PORT} npm start`);
    expect(text).toContain(`curl -s http://127.0.0.1:${DEFAULT_REPLAY_PORT}/`);
  });

  it('enqueues exactly one job per Smoothcomp pipeline', () => {
    const pipelines = enqueues.map((c) => (JSON.parse(c.body ?? '{}') as { pipeline: string }).pipeline);
    expect(pipelines.toSorted()).toEqual(registeredPipelines().map((p) => p.name).filter((name) => name.startsWith('smoothcomp.')).toSorted());
  });

  it('runs as written against the replay origin: every job succeeds and publishes, every fetch is served', async () => {
    const ids: string[] = [];
    for (const command of enqueues) {
      expect(command.url.origin).toBe('http://127.0.0.1:8080');
      const response = await fetch(`${service.apiUrl}${command.url.pathname}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: command.body ?? null,
      });
      expect(response.status, command.body).toBe(201);
      ids.push(((await response.json()) as { job: { id: string } }).job.id);
    }
    for (const [index, id] of ids.entries()) {
      const details = await waitFor(
        `job ${id}`,
        async () => {
          const body = (await (await fetch(`${service.apiUrl}/internal/v1/jobs/${id}`)).json()) as {
            job: { state: string; failure: unknown };
            result: { decision: string } | null;
          };
          return ['succeeded', 'failed', 'exhausted', 'cancelled'].includes(body.job.state) ? body : undefined;
        },
        60_000,
      );
      expect({ body: enqueues[index]?.body, state: details.job.state, failure: details.job.failure }).toEqual({
        body: enqueues[index]?.body,
        state: 'succeeded',
        failure: null,
      });
      expect(details.result?.decision).toBe('PUBLISH_CHANGED');
    }
    expect(heard.filter((request) => request.status >= 400)).toEqual([]);
    for (const command of commands.filter((c) => c.method === 'GET')) {
      const response = await fetch(`${service.apiUrl}${command.url.pathname}${command.url.search}`);
      expect(response.status, command.url.toString()).toBe(200);
    }
  });
});
