import type { FastifyInstance } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { EnqueueJob, EnqueueJobOutcome, EnqueueJobRequest } from '../../../../application/enqueue-job.js';
import { problemsFromZod } from '../../../../application/field-problem.js';
import type { HandlerRegistry } from '../../../../application/handler-registry.js';
import { jobResource, jobSchema } from '../job-resource.js';
import { HttpProblem, problemDocument, problemSchema } from '../problem.js';
import { enqueueJobBody, enqueueJobRequest, enqueueJobRequestSchema, enqueueRefusal, idempotencyKeyText } from './enqueue-job-route.js';

/** Most jobs one batch may hold: one statement's worth, and an answer a client can still read. */
export const MAX_BATCH_JOBS = 1_000;

const itemKey = {
  idempotency_key: idempotencyKeyText()
    .optional()
    .describe("This job's own key: the same key and job return the first job (200); a different job under it is a 409"),
};

/** What each item is checked against: the shape POST /jobs checks first, plus the item's key. */
const batchItem = enqueueJobBody.extend(itemKey);

const jobsArray = <T extends z.ZodType>(item: T) =>
  z
    .array(item)
    .min(1, 'must hold at least one job')
    .max(MAX_BATCH_JOBS, `must hold at most ${MAX_BATCH_JOBS} jobs; split the batch`);

/** What the API document shows: every item a job request as POST /jobs takes it (one member per pipeline), plus its key. */
const batchBody = (handlers: HandlerRegistry) =>
  z.strictObject({ jobs: jobsArray(enqueueJobRequestSchema(handlers, itemKey)).describe(`1 to ${MAX_BATCH_JOBS} jobs, each checked on its own`) });

/**
 * What is checked before the handler runs: the envelope only. Each item is checked by the handler,
 * so one bad item is answered on its own and does not refuse the others.
 */
const batchEnvelope = z.strictObject({ jobs: jobsArray(z.unknown()) });

const batchResult = z
  .object({
    index: z.int().describe('Position of the job in the request, from 0'),
    status: z.literal([201, 200, 400, 409]).describe('201 created, 200 replayed (idempotency key), 400 invalid, 409 key used for a different job'),
    job: jobSchema.optional().describe('The stored job, with 201 and 200'),
    problem: problemSchema.optional().describe('Why this job was not stored, with 400 and 409'),
  })
  .meta({ id: 'EnqueueJobBatchResult' });

const batchResponse = z
  .object({ results: z.array(batchResult).describe('One per job, in request order') })
  .meta({ id: 'EnqueueJobBatchResponse' });

type BatchResult = z.infer<typeof batchResult>;

function resultOf(index: number, outcome: EnqueueJobOutcome): BatchResult {
  switch (outcome.kind) {
    case 'created':
      return { index, status: 201, job: jobResource(outcome.job) };
    case 'replayed':
      return { index, status: 200, job: jobResource(outcome.job) };
    case 'invalid':
    case 'idempotency_conflict': {
      const refusal = enqueueRefusal(outcome, `body.jobs.${index}`, 'idempotency_key');
      return { index, status: refusal.status, problem: problemDocument(refusal.status, refusal.detail, refusal.errors) };
    }
  }
}

/**
 * POST /jobs/batch: many jobs in one request. Every valid job is stored in one transaction with one
 * wake-up; an invalid one is answered with its own problem and not stored. The answer is 200 with
 * one result per job, in order, whenever the envelope is sound (see docs/adr/0015-bulk-enqueue.md).
 */
export function registerEnqueueJobsBatchRoute(app: FastifyInstance, enqueueJob: EnqueueJob, handlers: HandlerRegistry, bodyLimitBytes: number): void {
  app.withTypeProvider<ZodTypeProvider>().post('/jobs/batch', {
    bodyLimit: bodyLimitBytes,
    schema: {
      operationId: 'enqueueJobs',
      summary: 'Enqueue many ingestion jobs at once',
      description:
        `Up to ${MAX_BATCH_JOBS} jobs, each as POST /jobs takes it plus its own optional idempotency_key. ` +
        'A sound envelope is answered 200 with one result per job in request order: 201 created, 200 replayed, ' +
        '400 or 409 with a problem document. Valid jobs are stored in one transaction even when others are refused. ' +
        'A key given twice in one batch is stored once: a later identical job replays the first, a different one is a 409. ' +
        'A wrong envelope (not an object, jobs missing, empty or too long) or an Idempotency-Key header is a 400 ' +
        'and a body above HTTP_BATCH_BODY_LIMIT_BYTES a 413; then nothing is stored.',
      tags: ['jobs'],
      body: batchBody(handlers),
      response: { 200: batchResponse, 400: problemSchema, 401: problemSchema, 413: problemSchema, 415: problemSchema },
      responseDocs: {
        200: { description: 'One result per job, in request order' },
        400: { description: 'The envelope is wrong, or an Idempotency-Key header was sent; nothing was stored. `errors` names the field' },
        413: { description: 'The body is larger than HTTP_BATCH_BODY_LIMIT_BYTES' },
      },
    },
    // The body is the only part with a schema here, and it is checked as the envelope, not as documented.
    validatorCompiler: ({ method, url, httpPart }) => {
      if (httpPart !== 'body') throw new Error(`POST /jobs/batch validates only its body, not ${httpPart ?? 'an unnamed part'}`);
      return validatorCompiler({ method, url, httpPart, schema: batchEnvelope });
    },
    handler: async (request, reply) => {
      if (request.headers['idempotency-key'] !== undefined) {
        const message = 'is not accepted on a batch; give each job its own idempotency_key';
        throw new HttpProblem(400, `Idempotency-Key ${message}`, [{ field: 'headers.idempotency-key', message }]);
      }
      // Only the envelope was validated: the items are still whatever the client sent.
      const items: readonly unknown[] = request.body.jobs;
      const results: BatchResult[] = [];
      const accepted: { index: number; request: EnqueueJobRequest }[] = [];
      items.forEach((item, index) => {
        const parsed = batchItem.safeParse(item);
        if (parsed.success) {
          accepted.push({ index, request: enqueueJobRequest(parsed.data, request.id, parsed.data.idempotency_key) });
        } else {
          results[index] = { index, status: 400, problem: problemDocument(400, 'the job request is invalid', problemsFromZod(`body.jobs.${index}`, parsed.error)) };
        }
      });
      const outcomes = await enqueueJob.executeBatch(accepted.map((a) => a.request));
      accepted.forEach(({ index }, n) => {
        const outcome = outcomes[n];
        if (outcome === undefined) throw new Error('enqueue answered fewer jobs than it was given');
        results[index] = resultOf(index, outcome);
      });
      return reply.code(200).send({ results });
    },
  });
}
