import { z } from 'zod';
import type { FollowUpJob } from '../../core/follow-up.js';
import type { JsonObject, JsonValue } from '../../core/job.js';
import { sha256Hex } from '../../core/sha256.js';

/**
 * Live polling as follow-up jobs (ADR 24). Every key names a game and a point in its life, so a
 * retried or re-run job declares exactly the keys it declared before, and the engine enqueues a
 * key at most once:
 *
 * - `…:start:{start_time}`  a scoreboard's `pre` game: one summary at its start time (a new start
 *                            time after a postponement is a new key);
 * - `…:seen:{progress}`     a scoreboard's `in` game: one summary per distinct state the scoreboard
 *                            shows, which restarts a chain that broke;
 * - `…:live:{progress}:{n}` a summary's `in` (or still `pre`) game: the next summary, one interval
 *                            later. `progress` hashes what the summary showed, `n` counts summaries
 *                            in a row that showed the same; chains that saw the same converge on
 *                            one key, and a game that stops changing stops being polled after
 *                            MAX_UNCHANGED_POLLS;
 * - `…:final:{delay}`       a `post` game, from a scoreboard or a summary: the late corrections.
 */

export const CORRECTION_DELAYS_SEC = [120, 1800, 21_600] as const;
/** At 30 s an hour of a game showing nothing new (a rain delay, a stuck feed); the scoreboard restarts it when it moves. */
export const MAX_UNCHANGED_POLLS = 120;

export const GAME_SUMMARY = 'espn.game_summary';

/** What a summary job carries from the summary that declared it. */
export const summaryParamsSchema = z.strictObject({
  /** The progress hash of the summary that declared this one. */
  progress: z.string().regex(/^[0-9a-f]{16}$/, 'must be a progress hash (16 hex digits)').optional(),
  /** How many summaries in a row showed that same progress. */
  unchanged_polls: z.int().min(0).max(100_000).optional(),
});
export type SummaryParams = z.infer<typeof summaryParamsSchema>;

interface League {
  sport: string;
  league: string;
}

function gameKey(league: League, eventId: string): string {
  return `espn:${league.sport}/${league.league}/${eventId}`;
}

function summaryScope(league: League, eventId: string): JsonObject {
  return { sport: league.sport, league: league.league, event_id: eventId };
}

/** A short hash of what a poll saw: the same content, the same progress. */
export function progressOf(value: JsonValue): string {
  return sha256Hex(JSON.stringify(value)).slice(0, 16);
}

function corrections(league: League, eventId: string): FollowUpJob[] {
  return CORRECTION_DELAYS_SEC.map((delaySeconds) => ({
    pipeline: GAME_SUMMARY,
    scope: summaryScope(league, eventId),
    key: `${gameKey(league, eventId)}:final:${delaySeconds}`,
    delaySeconds,
  }));
}

/** One summary at a game's start time, keyed by it: a game moved to another time gets one poll at the new time. */
function atStart(league: League, eventId: string, startTime: string): FollowUpJob {
  return { pipeline: GAME_SUMMARY, scope: summaryScope(league, eventId), key: `${gameKey(league, eventId)}:start:${startTime}`, runAt: startTime };
}

/** A scoreboard's games: `pre` at its start, `in` now, `post` its corrections. */
export function scoreboardFollowUps(league: League, games: readonly JsonObject[]): FollowUpJob[] {
  return games.flatMap((game): FollowUpJob[] => {
    const eventId = game.event_id;
    if (typeof eventId !== 'string') return [];
    switch (game.state) {
      case 'pre':
        return typeof game.start_time === 'string' ? [atStart(league, eventId, game.start_time)] : [];
      case 'in':
        return [{ pipeline: GAME_SUMMARY, scope: summaryScope(league, eventId), key: `${gameKey(league, eventId)}:seen:${progressOf(game)}` }];
      case 'post':
        return corrections(league, eventId);
      default:
        return [];
    }
  });
}

/**
 * A summary's game: the next poll while it is `in` (or `pre` without a start time), one at its start
 * time while it is `pre`, the corrections once it is `post`.
 */
export function summaryFollowUps(league: League & { event_id: string }, params: SummaryParams, game: JsonObject, progress: string, intervalSec: number): FollowUpJob[] {
  if (game.state === 'post') return corrections(league, league.event_id);
  if (game.state === 'pre' && typeof game.start_time === 'string') return [atStart(league, league.event_id, game.start_time)];
  if (game.state !== 'in' && game.state !== 'pre') return [];
  const unchanged = params.progress === progress ? (params.unchanged_polls ?? 0) + 1 : 0;
  if (unchanged >= MAX_UNCHANGED_POLLS) return [];
  return [
    {
      pipeline: GAME_SUMMARY,
      scope: summaryScope(league, league.event_id),
      params: { progress, unchanged_polls: unchanged },
      key: `${gameKey(league, league.event_id)}:live:${progress}:${unchanged}`,
      delaySeconds: intervalSec,
    },
  ];
}
