import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registeredPipelines } from '../../src/platform/handlers.js';
import { startApiHarness, TOKEN, type ApiHarness } from '../http/api-harness.js';

let api: ApiHarness;
beforeAll(async () => {
  api = await startApiHarness({}, registeredPipelines());
});
afterAll(async () => {
  await api.close();
});

const ALLOWED = 'basketball/nba, basketball/wnba, football/nfl, football/college-football, baseball/mlb, hockey/nhl';

async function enqueue(pipeline: string, scope: unknown, params: unknown = {}) {
  const response = await api.app.inject({
    method: 'POST',
    url: '/internal/v1/jobs',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    payload: JSON.stringify({ pipeline, scope, params }),
  });
  return { status: response.statusCode, body: response.json<{ errors?: { field: string; message: string }[]; job?: { scope: unknown } }>() };
}

describe('ESPN scopes over POST jobs', () => {
  it('accepts each league and an optional day', async () => {
    for (const pair of ALLOWED.split(', ')) {
      const [sport, league] = pair.split('/');
      expect((await enqueue('espn.scoreboard', { sport, league })).status).toBe(201);
    }
    expect((await enqueue('espn.scoreboard', { sport: 'basketball', league: 'nba', date: '20261201' })).status).toBe(201);
    expect((await enqueue('espn.game_summary', { sport: 'hockey', league: 'nhl', event_id: '401800301' })).status).toBe(201);
  });

  it('refuses another sport or league with a 400 naming the field and the allowed values', async () => {
    const soccer = await enqueue('espn.scoreboard', { sport: 'soccer', league: 'eng.1' });
    expect(soccer.status).toBe(400);
    expect(soccer.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'body.scope.sport', message: expect.stringContaining(ALLOWED) as string },
        { field: 'body.scope.league', message: expect.stringContaining(ALLOWED) as string },
      ]),
    );
    const mixed = await enqueue('espn.game_summary', { sport: 'basketball', league: 'nfl', event_id: '1' });
    expect(mixed.status).toBe(400);
    expect(mixed.body.errors).toEqual([{ field: 'body.scope.league', message: expect.stringContaining(ALLOWED) as string }]);
  });

  it('refuses a day that is not YYYYMMDD, an event id that is not numeric, and unknown params', async () => {
    expect((await enqueue('espn.scoreboard', { sport: 'basketball', league: 'nba', date: '2026-12-01' })).body.errors).toEqual([
      { field: 'body.scope.date', message: expect.stringContaining('YYYYMMDD') as string },
    ]);
    expect((await enqueue('espn.scoreboard', { sport: 'basketball', league: 'nba', date: '20260231' })).status).toBe(400);
    expect((await enqueue('espn.game_summary', { sport: 'basketball', league: 'nba', event_id: '../scoreboard' })).body.errors).toEqual([
      { field: 'body.scope.event_id', message: 'must be a numeric event id' },
    ]);
    expect((await enqueue('espn.game_summary', { sport: 'basketball', league: 'nba', event_id: '1' }, { unchanged_polls: -1 })).body.errors?.[0]?.field).toBe('body.params.unchanged_polls');
  });
});
