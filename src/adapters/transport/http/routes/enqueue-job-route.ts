import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { EnqueueJob, EnqueueJobOutcome, EnqueueJobRequest } from '../../../../application/enqueue-job.js';
import type { FieldProblem } from '../../../../application/field-problem.js';
import { jobResource, jobSchema } from '../job-resource.js';
import { HttpProblem, problemSchema } from '../problem.js';
import { INSTANT_RULES, JSON_RULES, storableInstant, storableJsonObject, storableText } from '../request-fields.js';

export const enqueueJobBody = z
  .strictObject({
    pipeline: storableText().min(1).max(200).describe('A registered pipeline, e.g. system.noop'),
    scope: storableJsonObject().describe(`What to ingest; checked by the pipeline's scope schema. ${JSON_RULES}`),
    params: storableJsonObject().optional().describe(`Pipeline options; checked by the pipeline's params schema. ${JSON_RULES}`),
    priority: z.int().min(-1000).max(1000).optional().describe('Higher runs first; default 0'),
    max_attempts: z.int().min(1).max(100).optional().describe('Attempt budget; default WORKER_MAX_ATTEMPTS'),
    run_at: storableInstant().optional().describe(`Not before this instant; ${INSTANT_RULES}`),
    force_republish: z.boolean().optional(),
    correlation_id: storableText().min(1).max(200).optional().describe('Defaults to the request id'),
  })
  .meta({ id: 'EnqueueJobRequest' });

export type EnqueueJobBody = z.infer<typeof enqueueJobBody>;

/** An idempotency key, in the header of POST /jobs or in each item of a batch. */
export const idempotencyKeyText = () => z.string().regex(/^[\x21-\x7e]{1,200}$/, 'must be 1 to 200 visible ASCII characters');

const headers = z.looseObject({
  'idempotency-key': idempotencyKeyText().optional().describe('Repeat a request safely: the same key and body return the first job (200)'),
});

/** A validated body as the use case takes it; the correlation id defaults to the request id. */
export function enqueueJobRequest(body: EnqueueJobBody, requestId: string, idempotencyKey: string | undefined): EnqueueJobRequest {
  return {
    pipeline: body.pipeline,
    scope: body.scope,
    params: body.params,
    ...(body.priority === undefined ? {} : { priority: body.priority }),
    ...(body.max_attempts === undefined ? {} : { maxAttempts: body.max_attempts }),
    ...(body.run_at === undefined ? {} : { runAt: new Date(body.run_at) }),
    ...(body.force_republish === undefined ? {} : { forceRepublish: body.force_republish }),
    correlationId: body.correlation_id ?? requestId,
    ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
  };
}

type EnqueueJobRefused = Extract<EnqueueJobOutcome, { kind: 'invalid' | 'idempotency_conflict' }>;

export interface EnqueueRefusal {
  status: 400 | 409;
  detail: string;
  errors?: FieldProblem[];
}

/**
 * Why a job was not enqueued, for a problem document. `at` is where the job sits in the request
 * (`body`, `body.jobs.3`) and `keyName` how the client gave its idempotency key.
 */
export function enqueueRefusal(outcome: EnqueueJobRefused, at: string, keyName: string): EnqueueRefusal {
  if (outcome.kind === 'invalid') {
    return { status: 400, detail: 'the job request is invalid', errors: outcome.problems.map((p) => ({ ...p, field: `${at}.${p.field}` })) };
  }
  return {
    status: 409,
    detail: `${keyName} was already used for job ${outcome.job.id} with a different request; use a new key for a different job`,
  };
}

/** POST /jobs: validate against the pipeline, store durably, answer 201 (or 200 for a replay). */
export function registerEnqueueJobRoute(app: FastifyInstance, enqueueJob: EnqueueJob): void {
  app.withTypeProvider<ZodTypeProvider>().post('/jobs', {
    schema: {
      summary: 'Enqueue an ingestion job',
      tags: ['jobs'],
      headers,
      body: enqueueJobBody,
      response: { 200: jobSchema, 201: jobSchema, 400: problemSchema, 401: problemSchema, 409: problemSchema, 413: problemSchema, 415: problemSchema },
    },
    handler: async (request, reply) => {
      const outcome = await enqueueJob.execute(enqueueJobRequest(request.body, request.id, request.headers['idempotency-key']));
      switch (outcome.kind) {
        case 'invalid':
        case 'idempotency_conflict': {
          const refusal = enqueueRefusal(outcome, 'body', 'Idempotency-Key');
          throw new HttpProblem(refusal.status, refusal.detail, refusal.errors);
        }
        case 'replayed':
          return reply.code(200).header('idempotent-replayed', 'true').header('location', `/internal/v1/jobs/${outcome.job.id}`).send(jobResource(outcome.job));
        case 'created':
          return reply.code(201).header('location', `/internal/v1/jobs/${outcome.job.id}`).send(jobResource(outcome.job));
      }
    },
  });
}
