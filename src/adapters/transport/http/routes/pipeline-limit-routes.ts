import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { HandlerRegistry } from '../../../../application/handler-registry.js';
import type { JobRepository, PipelineLimit } from '../../../../core/job-repository.js';
import { HttpProblem, problemSchema } from '../problem.js';
import { storableText } from '../request-fields.js';

/** The largest limit: what a 32-bit integer column holds. */
export const MAX_RUNNING_CEILING = 2_147_483_647;

const pipelineParams = z.strictObject({
  name: storableText().min(1).max(200).describe('A registered pipeline'),
});

const limitsBody = z.strictObject({
  max_running: z
    .int()
    .min(1)
    .max(MAX_RUNNING_CEILING)
    .nullable()
    .describe('Jobs of this pipeline running at once across all workers; null removes the limit'),
});

const pipelineLimitsSchema = z
  .object({
    pipeline: z.string(),
    max_running: z.int().min(1).nullable().describe('null: no limit; the pipeline runs on any free slot'),
    updated_at: z.iso.datetime({ offset: true }).nullable().describe('When the limit was last set; null when there is none'),
  })
  .meta({ id: 'PipelineLimits' });

const limitsResponseSchema = z.object({ limits: pipelineLimitsSchema }).meta({ id: 'PipelineLimitsResponse' });

function limitsResource(pipeline: string, limit: PipelineLimit | null) {
  return {
    limits: { pipeline, max_running: limit?.maxRunning ?? null, updated_at: limit?.updatedAt.toISOString() ?? null },
  };
}

/** Reading and setting a pipeline's limit on jobs running at once (docs/adr/0020). */
export function registerPipelineLimitRoutes(app: FastifyInstance, repository: JobRepository, handlers: HandlerRegistry): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const registered = (name: string) => {
    if (handlers.get(name) === undefined) throw new HttpProblem(404, `pipeline ${name} is not registered`);
  };

  routes.get('/pipelines/:name/limits', {
    schema: {
      operationId: 'getPipelineLimits',
      summary: "A pipeline's limit on jobs running at once",
      tags: ['pipelines'],
      params: pipelineParams,
      response: { 200: limitsResponseSchema, 400: problemSchema, 401: problemSchema, 404: problemSchema },
      responseDocs: { 200: { description: 'The limit; max_running is null when the pipeline has none' }, 404: { description: 'No such pipeline' } },
    },
    handler: async (request) => {
      registered(request.params.name);
      return limitsResource(request.params.name, await repository.getPipelineLimit(request.params.name));
    },
  });

  routes.put('/pipelines/:name/limits', {
    schema: {
      operationId: 'setPipelineLimits',
      summary: "Set or remove a pipeline's limit on jobs running at once",
      description:
        'A claim never takes a job of a pipeline that has max_running jobs running, across all workers; it takes other ' +
        "pipelines' jobs instead. Lowering the limit stops no running job: claims wait until fewer run.",
      tags: ['pipelines'],
      params: pipelineParams,
      body: limitsBody,
      response: { 200: limitsResponseSchema, 400: problemSchema, 401: problemSchema, 404: problemSchema },
      responseDocs: { 200: { description: 'The limit now in force' }, 404: { description: 'No such pipeline' } },
    },
    handler: async (request) => {
      registered(request.params.name);
      const stored = await repository.setPipelineLimit(request.params.name, request.body.max_running);
      return limitsResource(request.params.name, stored);
    },
  });
}
