import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplayServer, type ReplayRequest } from '../../apps/replay/replay-server.js';
import { PROJECT_ROOT } from '../support/run-app.js';
import { waitFor } from '../support/wait-for.js';

describe('the replay server', () => {
  const heard: ReplayRequest[] = [];
  let replay: ReplayServer;
  beforeAll(async () => {
    replay = await new ReplayServer(undefined, (request) => heard.push(request)).start();
  });
  afterAll(() => replay.stop());

  it('answers a path it does not serve with a 404 whose JSON body lists every route it does serve', async () => {
    const response = await fetch(`${replay.origin}/en/event/12345`, { headers: { 'x-forwarded-host': 'smoothcomp.com' } });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = (await response.json()) as { error: string; served: string[] };
    expect(body.error).toBe('no fixture for GET smoothcomp.com/en/event/12345');
    expect(body.served).toEqual(replay.served());
    expect(body.served).toContain('GET smoothcomp.com/en/events/upcoming?countries=US&page=1');
    expect(body.served).toContain('POST smoothcomp.com/en/event/21001/participants');
    expect(body.served).toContain('GET ibjjf.smoothcomp.com/en/event/21001/getInfoPanelsData');
    expect(body.served).toContain('GET smoothcomp.com/en/profile/5501');
  });

  it('reports every request it answered: method, intended host and path, status and fixture', async () => {
    heard.length = 0;
    await (await fetch(`${replay.origin}/en/profile/5501`)).arrayBuffer();
    await (await fetch(`${replay.origin}/en/profile/9999`)).arrayBuffer();
    await (await fetch(`${replay.origin}/en/event/21001`, { headers: { 'x-forwarded-host': 'ibjjf.smoothcomp.com' } })).arrayBuffer();
    await waitFor('three reports', () => heard.length === 3);
    expect(heard).toEqual([
      { method: 'GET', target: 'smoothcomp.com/en/profile/5501', status: 200, file: 'athletes/profile-5501.html' },
      { method: 'GET', target: 'smoothcomp.com/en/profile/9999', status: 404, file: undefined },
      { method: 'GET', target: 'ibjjf.smoothcomp.com/en/event/21001', status: 200, file: 'event_detail/event-21001-page.html' },
    ]);
  });
});

describe('npm run replay', () => {
  it('prints one line per request with method, path and status', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/replay/main.ts'], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH ?? '', REPLAY_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const origin = await waitFor('the replay origin', () => /serving testdata\/smoothcomp and testdata\/espn at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1], 60_000);
      expect((await fetch(`${origin}/en/event/12345`)).status).toBe(404);
      expect((await fetch(`${origin}/en/profile/5501`)).status).toBe(200);
      await waitFor('two request lines', () => stdout.includes('/en/profile/5501 ->'));
      const lines = stdout.split('\n').filter((line) => line.includes(' -> '));
      expect(lines).toEqual([
        'replay: GET smoothcomp.com/en/event/12345 -> 404 (no fixture; the 404 body lists what is served)',
        'replay: GET smoothcomp.com/en/profile/5501 -> 200 athletes/profile-5501.html',
      ]);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
