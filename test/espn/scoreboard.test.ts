import { describe, expect, it } from 'vitest';
import { JobError } from '../../src/core/job-error.js';
import { createScoreboardPipeline } from '../../src/adapters/espn/scoreboard/scoreboard-pipeline.js';
import { scoreboardOf } from './fixtures.js';

const nba = { sport: 'basketball', league: 'nba' };

function parseError(run: () => unknown): JobError {
  try {
    run();
  } catch (error) {
    if (error instanceof JobError) return error;
    throw error;
  }
  throw new Error('expected a parse error');
}

describe('espn.scoreboard', () => {
  it('asks the configured base URL for the league and day, and allows only its host', () => {
    const pipeline = createScoreboardPipeline({ baseUrl: 'http://127.0.0.1:8091/', livePollIntervalSec: 30 });
    const [request, ...rest] = pipeline.planRequests({ scope: { ...nba, date: '20261201' }, params: {}, fetched: [] });
    expect(rest).toEqual([]);
    expect(request?.url).toBe('http://127.0.0.1:8091/apis/site/v2/sports/basketball/nba/scoreboard?dates=20261201');
    expect(request?.resourceKey).toBe('/apis/site/v2/sports/basketball/nba/scoreboard?dates=20261201');
    expect(pipeline.allowedHosts).toEqual(['127.0.0.1']);
    expect(createScoreboardPipeline({ baseUrl: 'https://site.api.espn.com', livePollIntervalSec: 30 }).planRequests({ scope: nba, params: {}, fetched: [] })[0]?.url).toBe(
      'https://site.api.espn.com/apis/site/v2/sports/basketball/nba/scoreboard',
    );
  });

  it('records each game with numeric scores, in start-time order', () => {
    const { records } = scoreboardOf('scoreboard/nba-20261201-in.json');
    expect(records.map((r) => (r as { event_id: string }).event_id)).toEqual(['401800003', '401800001', '401800002']);
    expect(records[1]).toEqual({
      event_id: '401800001',
      name: 'New York Knights at Boston Harbor Hawks',
      short_name: 'NYK @ BOS',
      start_time: '2026-12-02T00:30:00.000Z',
      state: 'in',
      status: 'STATUS_IN_PROGRESS',
      status_detail: '8:12 - 1st Quarter',
      completed: false,
      period: 1,
      clock: '8:12',
      home: { team_id: '2', abbreviation: 'BOS', display_name: 'Boston Harbor Hawks', score: 3, winner: null },
      away: { team_id: '18', abbreviation: 'NYK', display_name: 'New York Knights', score: 4, winner: null },
      venue: { name: 'Boston Harbor Arena', city: 'Boston Harbor', state: 'XX' },
    });
  });

  it('gives a game before its start no score rather than ESPN\'s "0"', () => {
    const game = scoreboardOf('scoreboard/nba-20261201-pre.json').records[0] as { state: string; period: number; home: { score: unknown } };
    expect(game).toMatchObject({ state: 'pre', period: 0, home: { score: null } });
  });

  it('records winners and completion after the game, and reads scores written as numbers', () => {
    const [first] = scoreboardOf('scoreboard/college-football-20261205.json', { sport: 'football', league: 'college-football' }).records;
    expect(first).toMatchObject({ state: 'post', completed: true, home: { score: 28, winner: false }, away: { score: 31, winner: true } });
  });

  it('reads missing and null fields as null', () => {
    const [live, later] = scoreboardOf('scoreboard/nhl-20261201-missing-fields.json', { sport: 'hockey', league: 'nhl' }).records;
    expect(live).toMatchObject({ event_id: '401800301', short_name: null, venue: null, home: { abbreviation: null, score: 2 }, away: { score: null } });
    expect(later).toMatchObject({ event_id: '401800302', start_time: null, clock: null, venue: null });
  });

  it('publishes a day without games as no records', () => {
    expect(scoreboardOf('scoreboard/mlb-20261201-empty.json', { sport: 'baseball', league: 'mlb' }).records).toEqual([]);
  });

  it('fails with a parse error, never an empty day, when the shape drifts', () => {
    expect(parseError(() => scoreboardOf('scoreboard/drift.json'))).toMatchObject({ category: 'parse', code: 'SCOREBOARD_UNEXPECTED' });
    const error = parseError(() => scoreboardOf('scoreboard/nba-event-without-state.json'));
    expect(error).toMatchObject({ category: 'parse', code: 'SCOREBOARD_EVENT_UNEXPECTED' });
    expect(error.message).toContain('events.1');
  });
});
