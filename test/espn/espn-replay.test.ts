import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplayServer, type ReplayRequest } from '../../apps/replay/replay-server.js';
import { loadConfig } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { startAllInOne } from '../../src/platform/start-all-in-one.js';
import { PROJECT_ROOT } from '../support/run-app.js';
import { waitFor } from '../support/wait-for.js';

interface JobDetails {
  job: { id: string; state: string; failure: { category: string; code: string } | null; counters: Record<string, unknown> };
  result: { decision: string; record_count: number } | null;
}

let replay: ReplayServer;
let service: Awaited<ReturnType<typeof startAllInOne>>;
let dir: string;
const heard: ReplayRequest[] = [];

beforeAll(async () => {
  replay = await new ReplayServer(undefined, (request) => heard.push(request)).start();
  dir = mkdtempSync(join(tmpdir(), 'espn-replay-'));
  const config = loadConfig({
    DATABASE_DRIVER: 'sqlite',
    DATABASE_DSN: join(dir, 'espn.db'),
    DATABASE_RUN_MIGRATIONS: 'true',
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    ALLOW_INSECURE_INTERNAL_AUTH: 'true',
    ESPN_BASE_URL: replay.origin,
    ESPN_REQUESTS_PER_MINUTE: '10000',
    // The follow-ups of live games wait an hour here: these tests read the summaries they enqueue themselves.
    ESPN_LIVE_POLL_INTERVAL_SEC: '3600',
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

async function run(pipeline: string, scope: object): Promise<JobDetails> {
  const response = await fetch(`${service.apiUrl}/internal/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pipeline, scope }) });
  expect(response.status).toBe(201);
  const { job } = (await response.json()) as { job: { id: string } };
  return waitFor(
    `job ${job.id}`,
    async () => {
      const details = (await (await fetch(`${service.apiUrl}/internal/v1/jobs/${job.id}`)).json()) as JobDetails;
      return ['succeeded', 'failed', 'exhausted', 'cancelled'].includes(details.job.state) ? details : undefined;
    },
    60_000,
  );
}

describe('the ESPN pipelines against the replay origin named by ESPN_BASE_URL', () => {
  it('fetch from ESPN_BASE_URL and publish the scoreboard as it moves pre -> in -> post', async () => {
    const scope = { sport: 'basketball', league: 'nba', date: '20261201' };
    const states: string[][] = [];
    for (let step = 0; step < 4; step++) {
      const details = await run('espn.scoreboard', scope);
      expect(details.job.state).toBe('succeeded');
      const latest = (await (await fetch(`${service.apiUrl}/internal/v1/publications/latest?pipeline=espn.scoreboard&date=20261201`)).json()) as {
        publications: { envelope: { content: { records: { event_id: string; state: string }[] } } }[];
      };
      states.push(latest.publications[0]?.envelope.content.records.map((r) => r.state) ?? []);
    }
    expect(states).toEqual([
      ['pre', 'pre', 'pre'],
      ['in', 'in', 'pre'],
      ['in', 'in', 'pre'],
      ['post', 'post', 'post'],
    ]);
    expect(heard.filter((r) => r.target === '/apis/site/v2/sports/basketball/nba/scoreboard?dates=20261201').map((r) => r.file)).toEqual([
      'scoreboard/nba-20261201-pre.json',
      'scoreboard/nba-20261201-in.json',
      'scoreboard/nba-20261201-in.json',
      'scoreboard/nba-20261201-post.json',
    ]);
  });

  it('publishes a game summary with its ledger, and fails a drifted scoreboard as a parse error', async () => {
    const summary = await run('espn.game_summary', { sport: 'basketball', league: 'nba', event_id: '401800001' });
    expect(summary.job.state).toBe('succeeded');
    expect(summary.result).toMatchObject({ decision: 'PUBLISH_CHANGED', record_count: 1 });
    const drift = await run('espn.scoreboard', { sport: 'basketball', league: 'nba', date: '20261202' });
    expect(drift.job).toMatchObject({ state: 'failed', failure: { category: 'parse', code: 'SCOREBOARD_UNEXPECTED' } });
  });

  it('runs the README\'s ESPN commands as written: each job succeeds and the publication lookup answers', async () => {
    const readme = readFileSync(`${PROJECT_ROOT}README.md`, 'utf8');
    const section = readme.slice(readme.indexOf('\n## ESPN'), readme.indexOf('\n## The internal API'));
    const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const commands = block.replace(/\\\n\s*/g, ' ').split('\n').filter((line) => line.startsWith('curl '));
    expect(commands).toHaveLength(3);
    for (const line of commands.filter((l) => l.includes('-X POST'))) {
      const body = JSON.parse(/-d '([^']*)'/.exec(line)?.[1] ?? '{}') as { pipeline: string; scope: object };
      expect((await run(body.pipeline, body.scope)).job.state).toBe('succeeded');
    }
    const lookup = /'(http:\/\/127\.0\.0\.1:8080[^']+)'/.exec(commands[2] ?? '')?.[1] ?? '';
    const url = new URL(lookup);
    const latest = (await (await fetch(`${service.apiUrl}${url.pathname}${url.search}`)).json()) as { publications: { envelope: { content: { plays: unknown[] } } }[] };
    expect(latest.publications).toHaveLength(1);
    expect(latest.publications[0]?.envelope.content.plays.length).toBeGreaterThan(0);
  });

  it('counts 304s and identical bodies, and an unchanged game is not published again', async () => {
    const nfl = { sport: 'football', league: 'nfl', event_id: '401800103' };
    expect((await run('espn.game_summary', nfl)).job.counters).toMatchObject({ not_modified: 0, identical_bodies: 0 });
    const validated = await run('espn.game_summary', nfl);
    expect(validated.job.counters).toMatchObject({ not_modified: 1, identical_bodies: 0 });
    expect(validated.result?.decision).toBe('SKIP_NO_CHANGE');
    const mlb = { sport: 'baseball', league: 'mlb', event_id: '401800501' };
    expect((await run('espn.game_summary', mlb)).job.counters).toMatchObject({ not_modified: 0, identical_bodies: 0 });
    const same = await run('espn.game_summary', mlb);
    expect(same.job.counters).toMatchObject({ not_modified: 0, identical_bodies: 1 });
    expect(same.result?.decision).toBe('SKIP_NO_CHANGE');
  });
});
