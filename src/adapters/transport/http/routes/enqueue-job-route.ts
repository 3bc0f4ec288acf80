import type { FastifyInstance } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { EnqueueJob, EnqueueJobOutcome, EnqueueJobRequest } from '../../../../application/enqueue-job.js';
import type { FieldProblem } from '../../../../application/field-problem.js';
import type { HandlerRegistry } from '../../../../application/handler-registry.js';
import { jobResource, jobResponseSchema } from '../job-resource.js';
import { HttpProblem, problemSchema } from '../problem.js';
import { INSTANT_RULES, JSON_RULES, storableInstant, storableJsonObject, storableText } from '../request-fields.js';

/** The fields every job request has, whatever its pipeline. */
const jobOptions = {
  priority: z.int().min(-1000).max(1000).optional().describe('Higher runs first; default 0'),
  max_attempts: z.int().min(1).max(100).optional().describe('Attempt budget; default WORKER_MAX_ATTEMPTS'),
  run_at: storableInstant().optional().describe(`Not before this instant; ${INSTANT_RULES}`),
  force_republish: z.boolean().optional(),
  correlation_id: storableText().min(1).max(200).optional().describe('Defaults to the request id'),
};

/**
 * What the server checks first, for any pipeline: the shape, and that scope and params are JSON
 * both databases can store. The pipeline's own scope and params schemas are checked next, by the
 * enqueue use case, so a refusal names the exact field either way.
 */
export const enqueueJobBody = z.strictObject({
  pipeline: storableText().min(1).max(200).describe('A registered pipeline, e.g. system.noop'),
  scope: storableJsonObject().describe(`What to ingest; checked by the pipeline's scope schema. ${JSON_RULES}`),
  params: storableJsonObject().optional().describe(`Pipeline options; checked by the pipeline's params schema. ${JSON_RULES}`),
  ...jobOptions,
});

/**
 * The job request as documented: one member per registered pipeline, told apart by `pipeline`,
 * each with that pipeline's scope and params schemas. A client generated from the document types
 * `scope` by pipeline. Exported for every route that takes job requests.
 */
export function enqueueJobRequestSchema<Extra extends z.ZodRawShape = Record<never, never>>(handlers: HandlerRegistry, extra?: Extra) {
  const members = handlers.pipelines().map((pipeline) => {
    const handler = handlers.get(pipeline);
    if (handler === undefined) throw new Error(`pipeline ${pipeline} is listed but has no handler`);
    return z
      .strictObject({
        pipeline: z.literal(pipeline),
        scope: handler.scopeSchema.describe(`What to ingest. ${JSON_RULES}`),
        params: handler.paramsSchema.optional().describe(`Pipeline options. ${JSON_RULES}`),
        ...jobOptions,
        ...extra,
      })
      .describe(`A ${pipeline} job`);
  });
  const [first, ...rest] = members;
  if (first === undefined) throw new Error('no pipeline is registered');
  return z
    .discriminatedUnion('pipeline', [first, ...rest])
    .meta({ description: 'A job for one registered pipeline', discriminator: { propertyName: 'pipeline' } });
}

export type EnqueueJobBody = z.infer<typeof enqueueJobBody>;

/** An idempotency key, in the header of POST /jobs or in each item of a batch. */
export const idempotencyKeyText = () => z.string().regex(/^[\x21-\x7e]{1,200}$/, 'must be 1 to 200 visible ASCII characters');

const headers = z.looseObject({
  'idempotency-key': idempotencyKeyText().optional().describe('Repeat a request safely: the same key and body return the first job (200)'),
});


const LOCATION = { type: 'string', description: 'The job: /internal/v1/jobs/{id}' } as const;
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
export function registerEnqueueJobRoute(app: FastifyInstance, enqueueJob: EnqueueJob, handlers: HandlerRegistry): void {
  app.withTypeProvider<ZodTypeProvider>().post('/jobs', {
    // The body is checked by the generic schema above, then by the pipeline's schemas in the use
    // case; the documented union states the same rules. Fastify types this compiler's schema as the
    // whole route schema while it is called with one part of it, a zod schema here: hence the cast.
    validatorCompiler: (route) =>
      validatorCompiler({ ...route, schema: route.httpPart === 'body' ? enqueueJobBody : (route.schema as unknown as z.ZodType) }),
    schema: {
      operationId: 'enqueueJob',
      summary: 'Enqueue an ingestion job',
      tags: ['jobs'],
      headers,
      body: enqueueJobRequestSchema(handlers),
      response: { 200: jobResponseSchema, 201: jobResponseSchema, 400: problemSchema, 401: problemSchema, 409: problemSchema, 413: problemSchema, 415: problemSchema },
      responseDocs: {
        200: {
          description: 'A replay: this Idempotency-Key and body already made this job',
          headers: { Location: LOCATION, 'Idempotent-Replayed': { type: 'string', enum: ['true'], description: 'The job was made by an earlier request' } },
        },
        201: { description: 'The job is stored and will run', headers: { Location: LOCATION } },
        409: { description: 'The Idempotency-Key was used for a different request' },
      },
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
          return reply
            .code(200)
            .header('idempotent-replayed', 'true')
            .header('location', `/internal/v1/jobs/${outcome.job.id}`)
            .send({ job: jobResource(outcome.job) });
        case 'created':
          return reply.code(201).header('location', `/internal/v1/jobs/${outcome.job.id}`).send({ job: jobResource(outcome.job) });
      }
    },
  });
}
