import { JobError } from '../../../core/job-error.js';
import type { FetchedResource, PipelineDefinition } from '../../../core/pipeline.js';
import { gameRecord } from '../espn-game.js';
import { bodyJson, espnAllowedHosts, espnResourceKey, espnUrl, gameSummaryScopeSchema, type EspnOptions, type GameSummaryScope } from '../espn-scope.js';
import { GAME_SUMMARY, progressOf, summaryFollowUps, summaryParamsSchema, type SummaryParams } from '../live-polling.js';
import { boxScoreLines } from './box-score.js';
import { describePlayChanges } from './describe-play-changes.js';
import { parseGameSummary, type ParsedSummary } from './parse-game-summary.js';
import { playLedger } from './play-ledger.js';

function summaryResource(fetched: readonly FetchedResource[]): FetchedResource {
  const found = fetched.find((r) => r.resourceType === 'espn_game_summary');
  if (found === undefined) throw new JobError('parse', 'RESOURCE_MISSING', 'no espn_game_summary was fetched');
  return found;
}

/**
 * One game's summary: the game from its header, the play ledger with its integrity warnings, and
 * the player box score. While the game is live it declares the next summary (live-polling.ts).
 */
export function createGameSummaryPipeline(options: EspnOptions): PipelineDefinition<GameSummaryScope, SummaryParams, ParsedSummary> {
  return {
    name: GAME_SUMMARY,
    scopeSchema: gameSummaryScopeSchema,
    paramsSchema: summaryParamsSchema,
    parserVersion: '1',
    normalizerVersion: '1',
    allowedHosts: espnAllowedHosts(options),
    maxRequests: 1,
    planRequests({ scope, fetched }) {
      if (fetched.length > 0) return [];
      const url = espnUrl(options, scope, 'summary', { event: scope.event_id });
      return [{ resourceType: 'espn_game_summary', resourceKey: espnResourceKey(url), method: 'GET', url, headers: { accept: 'application/json' } }];
    },
    parse({ scope, fetched }) {
      const where = `${scope.sport}/${scope.league} summary of event ${scope.event_id}`;
      return parseGameSummary(bodyJson(summaryResource(fetched).body, where), scope.event_id, where);
    },
    normalize({ parsed }) {
      const ledger = playLedger(parsed.plays);
      const box = parsed.boxScore === null ? null : boxScoreLines(parsed.boxScore);
      return {
        records: [gameRecord(parsed.game)],
        plays: ledger.plays,
        box_score: box?.teams ?? null,
        warnings: [...ledger.warnings, ...(box?.warnings ?? [])],
      };
    },
    followUps({ scope, params, content }) {
      const game = content.records[0];
      if (typeof game !== 'object' || game === null || Array.isArray(game)) return [];
      return summaryFollowUps(scope, params, game, progressOf({ game, plays: content.plays ?? [] }), options.livePollIntervalSec);
    },
    describeChange: describePlayChanges,
  };
}
