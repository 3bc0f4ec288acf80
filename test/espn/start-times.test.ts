import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { espnDayShift, shiftDates } from '../../apps/replay/espn-dates.js';
import { ReplayServer, type ReplayRequest } from '../../apps/replay/replay-server.js';
import { loadConfig } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { startAllInOne } from '../../src/platform/start-all-in-one.js';
import { waitFor } from '../support/wait-for.js';

interface JobView {
  id: string;
  state: string;
  scope: { event_id?: string };
  next_retry_at: string;
  counters: Record<string, unknown>;
}

describe('the replay moves the ESPN fixtures\' dates by whole days, whatever today is', () => {
  it.each(['2026-12-01T23:00:00Z', '2026-12-02T00:45:00Z', '2027-03-15T12:00:00Z', '2031-01-01T00:00:00Z', '2046-07-04T23:59:59Z'])('on %s', (now) => {
    const nowMs = Date.parse(now);
    const board = '{"day": {"date": "2026-12-01"}, "events": [{"date": "2026-12-02T00:30Z"}, {"date": "2026-12-07T01:20Z"}], "name": "2026-12-02 is not a date field"}';
    const starts = (text: string) => [...text.matchAll(/"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z)"/g)].map((m) => Date.parse((m[1] ?? '').replace('Z', ':00Z')));
    const future = starts(shiftDates(board, espnDayShift('future', nowMs)));
    const past = starts(shiftDates(board, espnDayShift('past', nowMs)));
    expect(future.every((start) => start > nowMs + 6 * 86_400_000)).toBe(true);
    expect(past.every((start) => start < nowMs - 7 * 86_400_000)).toBe(true);
    // The time of day is kept, and text that only contains a date is left alone.
    expect(shiftDates(board, espnDayShift('future', nowMs))).toMatch(/"\d{4}-\d{2}-\d{2}T00:30Z".*"\d{4}-\d{2}-\d{2}T01:20Z".*"2026-12-02 is not a date field"/);
    expect(shiftDates(board, espnDayShift('as-written', nowMs))).toBe(board);
  });
});

describe.each(['future', 'past'] as const)('a pre game\'s summary with the NBA day\'s games in the %s', (mode) => {
  let replay: ReplayServer;
  let service: Awaited<ReturnType<typeof startAllInOne>>;
  let dir: string;
  const heard: ReplayRequest[] = [];

  beforeAll(async () => {
    replay = await new ReplayServer(undefined, (request) => heard.push(request), undefined, mode).start();
    dir = mkdtempSync(join(tmpdir(), `espn-start-${mode}-`));
    const config = loadConfig({
      DATABASE_DRIVER: 'sqlite',
      DATABASE_DSN: join(dir, 'espn.db'),
      DATABASE_RUN_MIGRATIONS: 'true',
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      ALLOW_INSECURE_INTERNAL_AUTH: 'true',
      ESPN_BASE_URL: replay.origin,
      ESPN_REQUESTS_PER_MINUTE: '10000',
      // The summaries' own follow-ups wait an hour: only the start-time summaries run here.
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

  const summaries = async (): Promise<JobView[]> =>
    ((await (await fetch(`${service.apiUrl}/internal/v1/jobs?pipeline=espn.game_summary&limit=200`)).json()) as { jobs: JobView[] }).jobs;

  it(mode === 'future' ? 'waits until the game starts: no summary is fetched' : 'runs at once: each game\'s summary is fetched and published', async () => {
    const response = await fetch(`${service.apiUrl}/internal/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pipeline: 'espn.scoreboard', scope: { sport: 'basketball', league: 'nba', date: '20261201' } }),
    });
    const { job } = (await response.json()) as { job: { id: string } };
    const scoreboard = await waitFor(
      `scoreboard job ${job.id}`,
      async () => {
        const details = ((await (await fetch(`${service.apiUrl}/internal/v1/jobs/${job.id}`)).json()) as { job: JobView }).job;
        return ['succeeded', 'failed', 'exhausted', 'cancelled'].includes(details.state) ? details : undefined;
      },
      60_000,
    );
    expect(scoreboard.state).toBe('succeeded');
    expect(scoreboard.counters.follow_ups_enqueued).toBe(3); // the three pre games' start-time summaries

    const { publications } = (await (await fetch(`${service.apiUrl}/internal/v1/publications/latest?pipeline=espn.scoreboard&date=20261201`)).json()) as {
      publications: { envelope: { content: { records: { event_id: string; state: string; start_time: string }[] } } }[];
    };
    const games = publications[0]?.envelope.content.records ?? [];
    expect(games.map((g) => g.state)).toEqual(['pre', 'pre', 'pre']);
    const now = Date.now();
    for (const game of games) expect(Date.parse(game.start_time) > now).toBe(mode === 'future');

    if (mode === 'future') {
      const jobs = await summaries();
      expect(jobs.map((j) => j.state)).toEqual(['pending', 'pending', 'pending']);
      expect(jobs.map((j) => j.scope.event_id).toSorted()).toEqual(games.map((g) => g.event_id).toSorted());
      for (const j of jobs) expect(j.next_retry_at).toBe(games.find((g) => g.event_id === j.scope.event_id)?.start_time);
      expect(heard.filter((r) => r.target.includes('/summary'))).toEqual([]);
    } else {
      const jobs = await waitFor('the three start-time summaries', async () => {
        const all = await summaries();
        return all.filter((j) => j.state === 'succeeded').length === 3 ? all : undefined;
      }, 50_000);
      expect(jobs.filter((j) => j.state === 'succeeded').map((j) => j.scope.event_id).toSorted()).toEqual(['401800001', '401800002', '401800003']);
      expect(heard.filter((r) => r.target.includes('/summary')).map((r) => r.file).toSorted()).toEqual([
        'summary/nba-401800001-in-1.json',
        'summary/nba-401800002-post.json',
        'summary/nba-401800003-in.json',
      ]);
      const states: Record<string, string> = {};
      for (const eventId of ['401800001', '401800002', '401800003']) {
        const latest = (await (await fetch(`${service.apiUrl}/internal/v1/publications/latest?pipeline=espn.game_summary&event_id=${eventId}`)).json()) as {
          publications: { envelope: { content: { records: { state: string }[] } } }[];
        };
        states[eventId] = latest.publications[0]?.envelope.content.records[0]?.state ?? '';
      }
      expect(states).toEqual({ '401800001': 'in', '401800002': 'post', '401800003': 'in' });
    }
  });
});
