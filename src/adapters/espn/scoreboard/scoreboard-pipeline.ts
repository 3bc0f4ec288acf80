import { z } from 'zod';
import { JobError } from '../../../core/job-error.js';
import type { JsonObject } from '../../../core/job.js';
import type { FetchedResource, PipelineDefinition } from '../../../core/pipeline.js';
import { compareIds, gameRecord, type GameParts } from '../espn-game.js';
import { bodyJson, espnAllowedHosts, espnResourceKey, espnUrl, scoreboardScopeSchema, type EspnOptions, type ScoreboardScope } from '../espn-scope.js';
import { scoreboardFollowUps } from '../live-polling.js';
import { parseScoreboard } from './parse-scoreboard.js';

export const SCOREBOARD = 'espn.scoreboard';

function scoreboardResource(fetched: readonly FetchedResource[]): FetchedResource {
  const found = fetched.find((r) => r.resourceType === 'espn_scoreboard');
  if (found === undefined) throw new JobError('parse', 'RESOURCE_MISSING', 'no espn_scoreboard was fetched');
  return found;
}

/** One league's scoreboard for a day (ESPN's default day without `date`): one record per game. */
export function createScoreboardPipeline(options: EspnOptions): PipelineDefinition<ScoreboardScope, JsonObject, GameParts[]> {
  return {
    name: SCOREBOARD,
    scopeSchema: scoreboardScopeSchema,
    paramsSchema: z.strictObject({}),
    parserVersion: '1',
    normalizerVersion: '1',
    allowedHosts: espnAllowedHosts(options),
    maxRequests: 1,
    planRequests({ scope, fetched }) {
      if (fetched.length > 0) return [];
      const url = espnUrl(options, scope, 'scoreboard', { dates: scope.date });
      return [{ resourceType: 'espn_scoreboard', resourceKey: espnResourceKey(url), method: 'GET', url, headers: { accept: 'application/json' } }];
    },
    parse({ scope, fetched }) {
      const where = `${scope.sport}/${scope.league} scoreboard${scope.date === undefined ? '' : ` ${scope.date}`}`;
      return parseScoreboard(bodyJson(scoreboardResource(fetched).body, where), where);
    },
    normalize({ parsed }) {
      // By start time (a game without one last), then id: a reordered feed keeps its hash.
      const games = parsed.map((parts) => ({ key: [parts.date ?? '\uffff', parts.eventId] as const, record: gameRecord(parts) }));
      games.sort((a, b) => a.key[0].localeCompare(b.key[0]) || compareIds(a.key[1], b.key[1]));
      return { records: games.map((game) => game.record) };
    },
    followUps({ scope, content }) {
      return scoreboardFollowUps(scope, content.records.filter((r): r is JsonObject => typeof r === 'object' && r !== null && !Array.isArray(r)));
    },
  };
}
