import { createPipelineHandler, type PipelineHandlerDeps } from '../application/pipeline-handler.js';
import type { JobHandler } from '../application/job-handler.js';
import { systemNoopHandler } from '../application/pipelines/system-noop.js';
import { academyCatalogPipeline } from '../adapters/smoothcomp/academy-catalog/academy-catalog-pipeline.js';
import { athleteProfilePipeline } from '../adapters/smoothcomp/athlete-profile/athlete-profile-pipeline.js';
import { eventDetailPipeline } from '../adapters/smoothcomp/event-detail/event-detail-pipeline.js';
import { eventCatalogPipeline } from '../adapters/smoothcomp/event-catalog/event-catalog-pipeline.js';
import { eventParticipantsPipeline } from '../adapters/smoothcomp/event-participants/event-participants-pipeline.js';
import type { PipelineDefinition } from '../core/pipeline.js';

/** The provider pipelines this build runs. Each provider adds its definitions here. */
export function registeredPipelines(): PipelineDefinition[] {
  return [eventCatalogPipeline, eventParticipantsPipeline, eventDetailPipeline, athleteProfilePipeline, academyCatalogPipeline];
}

/** Every handler a process knows: the built-in ones and one per registered pipeline. */
export function createHandlers(deps: PipelineHandlerDeps, definitions: PipelineDefinition[] = registeredPipelines()): JobHandler[] {
  // A follow-up may name any pipeline of the process, itself included: looked up once all exist.
  const byName = new Map<string, JobHandler>();
  const withTargets: PipelineHandlerDeps = { followUpTargets: (pipeline) => byName.get(pipeline), ...deps };
  const handlers = [systemNoopHandler, ...definitions.map((definition) => createPipelineHandler(definition, withTargets))];
  for (const handler of handlers) byName.set(handler.pipeline, handler);
  return handlers;
}

/** The pipeline names createHandlers registers, for what must know them before the handlers exist. */
export function registeredPipelineNames(definitions: PipelineDefinition[] = registeredPipelines()): string[] {
  return [systemNoopHandler.pipeline, ...definitions.map((definition) => definition.name)];
}
