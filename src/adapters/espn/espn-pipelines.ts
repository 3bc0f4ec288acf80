import type { PipelineDefinition } from '../../core/pipeline.js';
import type { EspnOptions } from './espn-scope.js';
import { createGameSummaryPipeline } from './game-summary/game-summary-pipeline.js';
import { createScoreboardPipeline } from './scoreboard/scoreboard-pipeline.js';

/** The ESPN pipelines, built for one base URL and live poll interval. */
export function createEspnPipelines(options: EspnOptions): PipelineDefinition[] {
  return [createScoreboardPipeline(options), createGameSummaryPipeline(options)];
}
