import { describe, expect, it } from 'vitest';
import type { FollowUpJob } from '../../src/core/follow-up.js';
import type { JsonObject } from '../../src/core/job.js';
import type { NormalizedContent } from '../../src/core/pipeline.js';
import { DEFAULT_ESPN_OPTIONS } from '../../src/adapters/espn/espn-scope.js';
import { createGameSummaryPipeline } from '../../src/adapters/espn/game-summary/game-summary-pipeline.js';
import { MAX_UNCHANGED_POLLS } from '../../src/adapters/espn/live-polling.js';
import { createScoreboardPipeline } from '../../src/adapters/espn/scoreboard/scoreboard-pipeline.js';
import { scoreboardOf, summaryOf } from './fixtures.js';

const nba = { sport: 'basketball', league: 'nba' };
const game = { ...nba, event_id: '401800001' };
const scoreboard = createScoreboardPipeline(DEFAULT_ESPN_OPTIONS);
const summary = createGameSummaryPipeline({ ...DEFAULT_ESPN_OPTIONS, livePollIntervalSec: 45 });

function nextPoll(content: NormalizedContent, params: JsonObject = {}): FollowUpJob[] {
  return summary.followUps?.({ scope: game, params, content }) ?? [];
}

describe('live polling by game state', () => {
  it('a scoreboard starts a summary for each game in progress, at once', () => {
    const jobs = scoreboard.followUps?.({ scope: nba, params: {}, content: scoreboardOf('scoreboard/nba-20261201-in.json') }) ?? [];
    const live = jobs.filter((job) => job.key.includes(':seen:'));
    expect(live.map((job) => job.scope)).toEqual([
      { ...nba, event_id: '401800003' },
      { ...nba, event_id: '401800001' },
    ]);
    expect(live.every((job) => job.pipeline === 'espn.game_summary' && job.runAt === undefined && job.delaySeconds === undefined)).toBe(true);
  });

  it('a game before its start gets one summary at its start time, not before; a finished one its corrections', () => {
    const pre = scoreboard.followUps?.({ scope: nba, params: {}, content: scoreboardOf('scoreboard/nba-20261201-pre.json') }) ?? [];
    expect(pre).toContainEqual({ pipeline: 'espn.game_summary', scope: game, key: 'espn:basketball/nba/401800001:start:2026-12-02T00:30:00.000Z', runAt: '2026-12-02T00:30:00.000Z' });
    expect(pre).toHaveLength(3);
    const post = scoreboard.followUps?.({ scope: nba, params: {}, content: scoreboardOf('scoreboard/nba-20261201-post.json') }) ?? [];
    expect(post.filter((job) => job.scope.event_id === '401800001').map((job) => [job.key, job.delaySeconds])).toEqual([
      ['espn:basketball/nba/401800001:final:120', 120],
      ['espn:basketball/nba/401800001:final:1800', 1800],
      ['espn:basketball/nba/401800001:final:21600', 21600],
    ]);
  });

  it('the same content declares the same keys, so a retry or a re-run adds nothing', () => {
    const content = scoreboardOf('scoreboard/nba-20261201-in.json');
    expect(scoreboard.followUps?.({ scope: nba, params: {}, content })).toEqual(scoreboard.followUps?.({ scope: nba, params: {}, content: scoreboardOf('scoreboard/nba-20261201-in.json') }));
    const live = summaryOf('summary/nba-401800001-in-1.json', game);
    expect(nextPoll(live)).toEqual(nextPoll(summaryOf('summary/nba-401800001-in-1.json', game)));
  });

  it('a live summary declares the next one an interval later (the interval it was built with)', () => {
    const [next, ...rest] = nextPoll(summaryOf('summary/nba-401800001-in-1.json', game));
    expect(rest).toEqual([]);
    expect(next).toMatchObject({ pipeline: 'espn.game_summary', scope: game, delaySeconds: 45, params: { unchanged_polls: 0 } });
    expect(next?.key).toMatch(/^espn:basketball\/nba\/401800001:live:[0-9a-f]{16}:0$/);
  });

  it('a summary of a game not yet started declares one poll at its start time, keyed by it, so a new date gets its own poll', () => {
    const nfl = { sport: 'football', league: 'nfl', event_id: '401800103' };
    const pre = summaryOf('summary/nfl-401800103-pre.json', nfl);
    const poll = (content: NormalizedContent) => summary.followUps?.({ scope: nfl, params: {}, content }) ?? [];
    expect(poll(pre)).toEqual([{ pipeline: 'espn.game_summary', scope: nfl, key: 'espn:football/nfl/401800103:start:2026-12-07T01:20:00.000Z', runAt: '2026-12-07T01:20:00.000Z' }]);
    const postponed = { ...pre, records: [{ ...(pre.records[0] as JsonObject), start_time: '2026-12-08T18:00:00.000Z' }] };
    expect(poll(postponed)).toEqual([{ pipeline: 'espn.game_summary', scope: nfl, key: 'espn:football/nfl/401800103:start:2026-12-08T18:00:00.000Z', runAt: '2026-12-08T18:00:00.000Z' }]);
  });

  it('a summary that saw nothing new counts it; one that saw progress starts the count again', () => {
    const first = summaryOf('summary/nba-401800001-in-1.json', game);
    const [declared] = nextPoll(first);
    const [same] = nextPoll(first, declared?.params);
    expect(same?.params).toMatchObject({ progress: declared?.params?.progress, unchanged_polls: 1 });
    expect(same?.key).not.toBe(declared?.key);
    const [moved] = nextPoll(summaryOf('summary/nba-401800001-in-2.json', game), same?.params);
    expect(moved?.params?.unchanged_polls).toBe(0);
    expect(moved?.params?.progress).not.toBe(declared?.params?.progress);
  });

  it('two chains that see the same summary converge on one key', () => {
    const second = summaryOf('summary/nba-401800001-in-2.json', game);
    const fromChain = nextPoll(second, { progress: '0123456789abcdef', unchanged_polls: 3 });
    const fromScoreboard = nextPoll(second, {});
    expect(fromChain[0]?.key).toBe(fromScoreboard[0]?.key);
  });

  it('a game that stops changing stops being polled', () => {
    const first = summaryOf('summary/nba-401800001-in-1.json', game);
    const [declared] = nextPoll(first);
    expect(nextPoll(first, { progress: declared?.params?.progress ?? '', unchanged_polls: MAX_UNCHANGED_POLLS - 1 })).toEqual([]);
  });

  it('a final summary declares the corrections, and the corrections declare only those same keys again', () => {
    const final = nextPoll(summaryOf('summary/nba-401800001-post.json', game));
    expect(final.map((job) => [job.key, job.delaySeconds])).toEqual([
      ['espn:basketball/nba/401800001:final:120', 120],
      ['espn:basketball/nba/401800001:final:1800', 1800],
      ['espn:basketball/nba/401800001:final:21600', 21600],
    ]);
    expect(nextPoll(summaryOf('summary/nba-401800001-post-corrected.json', game)).map((job) => job.key)).toEqual(final.map((job) => job.key));
  });

  it('a scoreboard restarts a broken chain: each new state of a live game it shows starts one summary', () => {
    const seen = (file: string) =>
      (scoreboard.followUps?.({ scope: nba, params: {}, content: scoreboardOf(file) }) ?? []).filter((job) => job.scope.event_id === '401800001' && job.key.includes(':seen:')).map((job) => job.key);
    const live = seen('scoreboard/nba-20261201-in.json');
    expect(live).toHaveLength(1);
    expect(seen('scoreboard/nba-20261201-in.json')).toEqual(live);
    const later = scoreboardOf('scoreboard/nba-20261201-in.json');
    const game = later.records.find((r) => (r as JsonObject).event_id === '401800001') as JsonObject;
    game.clock = '6:40';
    const moved = (scoreboard.followUps?.({ scope: nba, params: {}, content: later }) ?? []).filter((job) => job.scope.event_id === '401800001').map((job) => job.key);
    expect(moved).toHaveLength(1);
    expect(moved).not.toEqual(live);
  });
});
