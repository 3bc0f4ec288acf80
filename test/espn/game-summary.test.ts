import { describe, expect, it } from 'vitest';
import { JobError } from '../../src/core/job-error.js';
import { DEFAULT_ESPN_OPTIONS } from '../../src/adapters/espn/espn-scope.js';
import { createGameSummaryPipeline } from '../../src/adapters/espn/game-summary/game-summary-pipeline.js';
import { summaryOf } from './fixtures.js';

const game = { sport: 'basketball', league: 'nba', event_id: '401800001' };
const pipeline = createGameSummaryPipeline(DEFAULT_ESPN_OPTIONS);
const ids = (plays: unknown) => (plays as { id: string }[]).map((p) => p.id);

function parseError(run: () => unknown): JobError {
  try {
    run();
  } catch (error) {
    if (error instanceof JobError) return error;
    throw error;
  }
  throw new Error('expected a parse error');
}

describe('espn.game_summary', () => {
  it('fetches the summary of the scope\'s event', () => {
    expect(pipeline.planRequests({ scope: game, params: {}, fetched: [] })[0]?.url).toBe('https://site.api.espn.com/apis/site/v2/sports/basketball/nba/summary?event=401800001');
  });

  it('orders the ledger by period, sequence and id: a late insert takes its place, colliding sequences follow their ids', () => {
    const { plays } = summaryOf('summary/nba-401800001-in-2.json', game);
    expect(ids(plays)).toEqual([
      '4018000011', '4018000014', '4018000017', '4018000040', '4018000023', '4018000026', '4018000029', '4018000030',
      '4018000033', '4018000036', '4018000038', '4018000044', '4018000050',
    ]);
    expect((plays as unknown[])[3]).toEqual({
      id: '4018000040', sequence: 11, period: 1, clock: '10:31', type: 'Defensive Rebound', text: 'Hawks center defensive rebound',
      scoring_play: false, score_value: 0, home_score: 3, away_score: 2, team_id: '2',
    });
  });

  it('records integrity problems as warnings and keeps every play', () => {
    const { warnings, plays } = summaryOf('summary/nba-401800001-in-2.json', game);
    expect((plays as unknown[]).length).toBe(13);
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'SCORE_WENT_DOWN', play_id: '4018000033', side: 'home', from: 4, to: 3 }),
      expect.objectContaining({ code: 'SCORE_VALUE_MISMATCH', play_id: '4018000038', score_value: 2, score_delta: 3 }),
      expect.objectContaining({ code: 'PERIOD_WENT_BACKWARDS', play_id: '4018000044', period: 1, after_period: 2 }),
    ]);
    expect(summaryOf('summary/nba-401800001-in-1.json', game).warnings).toEqual([]);
  });

  it('says which plays were added, changed (and how) and removed against the previous version', () => {
    const first = summaryOf('summary/nba-401800001-in-1.json', game);
    const second = summaryOf('summary/nba-401800001-in-2.json', game);
    expect(pipeline.describeChange?.(first, second)).toEqual({
      plays_added: ['4018000040', '4018000029', '4018000030', '4018000033', '4018000036', '4018000038', '4018000044', '4018000050'],
      plays_changed: [{ id: '4018000017', fields: ['text'] }],
      plays_removed: ['4018000020'],
      game_fields_changed: ['away', 'clock', 'home', 'period', 'status_detail'],
    });
    const final = summaryOf('summary/nba-401800001-post.json', game);
    const corrected = summaryOf('summary/nba-401800001-post-corrected.json', game);
    expect(pipeline.describeChange?.(final, corrected)).toEqual({
      plays_added: [],
      plays_changed: [{ id: '4018000014', fields: ['away_score', 'score_value', 'text', 'type'] }],
      plays_removed: [],
      game_fields_changed: [],
    });
    expect(pipeline.describeChange?.(null, first)).toMatchObject({ plays_added: ids(first.plays), plays_removed: [] });
  });

  it('records the game from the header and the player box score by ESPN stat keys', () => {
    const final = summaryOf('summary/nba-401800001-post.json', game);
    expect(final.records[0]).toMatchObject({ event_id: '401800001', state: 'post', completed: true, home: { score: 101, winner: true }, venue: { name: 'Boston Harbor Arena', city: 'Boston', state: 'MA' } });
    const [home, away] = final.box_score as { team_id: string; players: Record<string, unknown>[] }[];
    expect(home?.team_id).toBe('2');
    expect(home?.players[0]).toEqual({
      athlete_id: '5001', name: 'Jordan Vale', starter: true, did_not_play: false,
      stats: { minutes: 36, points: 31, 'fieldGoalsMade-fieldGoalsAttempted': '11-20', 'threePointFieldGoalsMade-threePointFieldGoalsAttempted': '4-9', rebounds: 7, assists: 5, plusMinus: 9 },
    });
    expect(home?.players[3]).toEqual({ athlete_id: '5004', name: 'Pat Doyle', starter: false, did_not_play: true, stats: {} });
    expect(away?.players[1]?.stats).toMatchObject({ points: null });
  });

  it('has no plays and no box score before the game', () => {
    const pre = summaryOf('summary/nfl-401800103-pre.json', { sport: 'football', league: 'nfl', event_id: '401800103' });
    expect(pre).toMatchObject({ plays: [], box_score: null, warnings: [], records: [{ state: 'pre', home: { score: null } }] });
  });

  it('reads plays without a clock, other sports\' box scores, and warns of a line with too many stats', () => {
    const mlb = summaryOf('summary/mlb-401800501-post.json', { sport: 'baseball', league: 'mlb', event_id: '401800501' });
    expect((mlb.plays as { clock: unknown }[]).every((p) => p.clock === null)).toBe(true);
    expect((mlb.box_score as { players: { stats: object }[] }[])[0]?.players[0]?.stats).toEqual({ atBats: 4, runs: 2, hits: 3, RBIs: 2, homeRuns: 1, walks: 0, strikeouts: 1 });
    expect(mlb.warnings).toEqual([expect.objectContaining({ code: 'BOX_SCORE_COLUMNS_MISMATCH', athlete_id: '6102' })]);
  });

  it('reads missing and null fields as null', () => {
    const nhl = summaryOf('summary/nhl-401800301-missing-fields.json', { sport: 'hockey', league: 'nhl', event_id: '401800301' });
    expect(nhl.plays).toEqual([
      expect.objectContaining({ id: '4018003011', sequence: 5, clock: null, type: null, team_id: null, home_score: null }),
      expect.objectContaining({ id: '4018003014', sequence: 12, scoring_play: true, home_score: 1 }),
      expect.objectContaining({ id: '4018003020', period: 2, clock: null, text: null, team_id: null }),
    ]);
    expect(nhl.records[0]).toMatchObject({ away: { display_name: null, score: null }, venue: null, name: null });
  });

  it('fails with a classified parse error naming what drifted', () => {
    expect(parseError(() => summaryOf('summary/drift.json', game))).toMatchObject({ category: 'parse', code: 'SUMMARY_UNEXPECTED' });
    const play = parseError(() => summaryOf('summary/nba-play-without-sequence.json', game));
    expect(play).toMatchObject({ category: 'parse', code: 'SUMMARY_PLAY_UNEXPECTED' });
    expect(play.message).toContain('plays.2');
    expect(parseError(() => summaryOf('summary/nba-401800001-in-1.json', { ...game, event_id: '401800002' }))).toMatchObject({ code: 'SUMMARY_OTHER_EVENT' });
  });
});
