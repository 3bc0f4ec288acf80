import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { IngestionStore } from '../../../../core/ingestion-store.js';
import type { JobRepository } from '../../../../core/job-repository.js';
import { normalizedResultResource, normalizedResultSchema } from '../publication-resource.js';
import { JOB_STATES, type JobState } from '../../../../core/job.js';
import { jobDetailsResource, jobDetailsSchema, jobResource, jobResponseSchema, jobSchema } from '../job-resource.js';
import { HttpProblem, problemSchema } from '../problem.js';
import { INSTANT_RULES, positiveId, storableInstant, storableText } from '../request-fields.js';

export const MAX_PAGE_SIZE = 200;

const jobIdParams = z.strictObject({
  id: positiveId('a job id'),
});

const listQuery = z.strictObject({
  state: z
    .string()
    .regex(new RegExp(`^(${JOB_STATES.join('|')})(,(${JOB_STATES.join('|')}))*$`), `a comma-separated list of ${JOB_STATES.join(', ')}`)
    .optional(),
  pipeline: storableText().min(1).max(200).optional(),
  scope_key: storableText().min(1).max(4000).optional(),
  created_from: storableInstant().optional().describe(`Inclusive; ${INSTANT_RULES}`),
  created_to: storableInstant().optional().describe(`Exclusive; ${INSTANT_RULES}`),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
  cursor: storableText().min(1).max(500).optional().describe('next_cursor of the previous page'),
});

const jobPageSchema = z
  .object({ jobs: z.array(jobSchema), next_cursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last') })
  .meta({ id: 'JobPage' });
const cancelSchema = z
  .object({ job: jobSchema, effect: z.enum(['cancelled', 'cancel_requested']).describe('cancel_requested: the worker aborts the running handler') })
  .meta({ id: 'CancelResult' });

const jobWithResultSchema = jobDetailsSchema
  .extend({ result: normalizedResultSchema.nullable().describe('The normalized result and publication decision, once the job has one') })
  .meta({ id: 'JobWithResult' });

const notFound = (id: string) => new HttpProblem(404, `job ${id} does not exist`);

/** Listing, inspecting, cancelling and retrying jobs. */
export function registerJobRoutes(app: FastifyInstance, repository: JobRepository, ingestion: IngestionStore): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get('/jobs', {
    schema: {
      operationId: 'listJobs',
      summary: 'List jobs, newest first',
      tags: ['jobs'],
      querystring: listQuery,
      response: { 200: jobPageSchema, 400: problemSchema, 401: problemSchema },
      responseDocs: { 200: { description: 'A page of jobs' } },
    },
    handler: async (request) => {
      const q = request.query;
      const page = await repository.listJobs({
        filter: {
          ...(q.state === undefined ? {} : { states: q.state.split(',') as JobState[] }),
          ...(q.pipeline === undefined ? {} : { pipeline: q.pipeline }),
          ...(q.scope_key === undefined ? {} : { scopeKey: q.scope_key }),
          ...(q.created_from === undefined ? {} : { createdFrom: new Date(q.created_from) }),
          ...(q.created_to === undefined ? {} : { createdTo: new Date(q.created_to) }),
        },
        limit: q.limit,
        ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
      });
      return { jobs: page.jobs.map(jobResource), next_cursor: page.nextCursor };
    },
  });

  routes.get('/jobs/:id', {
    schema: {
      operationId: 'getJob',
      summary: 'A job with its attempts and state transitions',
      tags: ['jobs'],
      params: jobIdParams,
      response: { 200: jobWithResultSchema, 400: problemSchema, 401: problemSchema, 404: problemSchema },
      responseDocs: { 200: { description: 'The job, its attempts, its state transitions and its result' } },
    },
    handler: async (request) => {
      const details = await repository.getJob(request.params.id);
      if (details === null) throw notFound(request.params.id);
      const result = await ingestion.getNormalizedResult(request.params.id);
      return { ...jobDetailsResource(details), result: result === null ? null : normalizedResultResource(result) };
    },
  });

  routes.post('/jobs/:id/cancel', {
    schema: {
      operationId: 'cancelJob',
      summary: 'Cancel a job: pending ones at once, running ones by aborting their handler',
      tags: ['jobs'],
      params: jobIdParams,
      response: { 200: cancelSchema, 400: problemSchema, 401: problemSchema, 404: problemSchema, 409: problemSchema },
      responseDocs: {
        200: { description: 'Cancelled, or (running) the cancel was requested; `effect` says which' },
        409: { description: 'The job has finished and cannot be cancelled' },
      },
    },
    handler: async (request) => {
      const result = await repository.cancelJob(request.params.id);
      if (result.ok) return { job: jobResource(result.job), effect: result.effect };
      if (result.reason === 'not_found') throw notFound(request.params.id);
      throw new HttpProblem(409, `job ${request.params.id} is ${result.state}; only pending or running jobs can be cancelled`);
    },
  });

  routes.post('/jobs/:id/retry', {
    schema: {
      operationId: 'retryJob',
      summary: 'Run a failed, exhausted or cancelled job again with a fresh attempt budget',
      tags: ['jobs'],
      params: jobIdParams,
      response: { 200: jobResponseSchema, 400: problemSchema, 401: problemSchema, 404: problemSchema, 409: problemSchema },
      responseDocs: {
        200: { description: 'The job is pending again' },
        409: { description: 'Only failed, exhausted or cancelled jobs can be retried' },
      },
    },
    handler: async (request) => {
      const result = await repository.retryJob(request.params.id);
      if (result.ok) return { job: jobResource(result.job) };
      if (result.reason === 'not_found') throw notFound(request.params.id);
      throw new HttpProblem(409, `job ${request.params.id} is ${result.state}; only failed, exhausted or cancelled jobs can be retried`);
    },
  });
}
