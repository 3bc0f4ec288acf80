import { readFileSync } from 'node:fs';
import { sha256Hex } from '../../src/core/sha256.js';
import type { FetchedResource, NormalizedContent } from '../../src/core/pipeline.js';
import { DEFAULT_ESPN_OPTIONS, type EspnOptions } from '../../src/adapters/espn/espn-scope.js';
import { createGameSummaryPipeline } from '../../src/adapters/espn/game-summary/game-summary-pipeline.js';
import { createScoreboardPipeline } from '../../src/adapters/espn/scoreboard/scoreboard-pipeline.js';
import { PROJECT_ROOT } from '../support/run-app.js';

export function espnFixture(path: string): string {
  return readFileSync(`${PROJECT_ROOT}testdata/espn/${path}`, 'utf8');
}

/** Text as a stored response, for the pure parts of a pipeline. */
export function asFetched(text: string, resourceType: string): FetchedResource {
  const body = new TextEncoder().encode(text);
  return { snapshotId: '1', resourceType, resourceKey: resourceType, url: 'https://site.api.espn.com/', status: 200, contentType: 'application/json', sha256: sha256Hex(body), body };
}

export function scoreboardOf(path: string, scope: { sport: string; league: string; date?: string } = { sport: 'basketball', league: 'nba' }, options: EspnOptions = DEFAULT_ESPN_OPTIONS): NormalizedContent {
  const pipeline = createScoreboardPipeline(options);
  const parsedScope = pipeline.scopeSchema.parse(scope);
  return pipeline.normalize({ scope: parsedScope, parsed: pipeline.parse({ scope: parsedScope, fetched: [asFetched(espnFixture(path), 'espn_scoreboard')] }) });
}

export function summaryOf(path: string, scope: { sport: string; league: string; event_id: string }, options: EspnOptions = DEFAULT_ESPN_OPTIONS): NormalizedContent {
  const pipeline = createGameSummaryPipeline(options);
  const parsedScope = pipeline.scopeSchema.parse(scope);
  return pipeline.normalize({ scope: parsedScope, parsed: pipeline.parse({ scope: parsedScope, fetched: [asFetched(espnFixture(path), 'espn_game_summary')] }) });
}
