import type { FastifyInstance } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { HandlerRegistry } from '../../../../application/handler-registry.js';
import { scheduleInputSchema } from '../../../../application/scheduler/schedule-input.js';
import type { ScheduleOutcome, ScheduleService } from '../../../../application/scheduler/schedule-service.js';
import type { Schedule, ScheduleRepository } from '../../../../core/schedule-repository.js';
import { HttpProblem, problemSchema } from '../problem.js';
import { INSTANT_RULES, JSON_RULES, storableJsonObject, storableText } from '../request-fields.js';
import { scheduleResource, scheduleResponseSchema, scheduleSchema } from '../schedule-resource.js';

/** What the schedule routes work with. */
export interface ScheduleApi {
  repository: ScheduleRepository;
  service: ScheduleService;
  /** The attempt budget of a triggered job whose schedule sets none (WORKER_MAX_ATTEMPTS). */
  defaultMaxAttempts: number;
}

export const MAX_SCHEDULE_PAGE_SIZE = 200;

/** Any text: an id that is not a schedule's (malformed or unknown) is a 404, not a 400. */
export const scheduleIdParams = z.strictObject({ id: z.string().describe('Decimal schedule id') });

export const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_SCHEDULE_PAGE_SIZE).default(50),
  cursor: storableText().min(1).max(500).optional().describe('next_cursor of the previous page'),
});

export const scheduleNotFound = (id: string) => new HttpProblem(404, `schedule ${id} does not exist or was deleted`);

const LOCATION = { type: 'string', description: 'The schedule: /internal/v1/schedules/{id}' } as const;

const { pipeline: _pipeline, scope: _scope, params: _params, ...timingAndOptions } = scheduleInputSchema.shape;

/**
 * What the server checks first, for any pipeline: the shape, and that every text and JSON value is
 * one both databases store. The pipeline's schemas and the timing rules are checked next, by the
 * service, which names each field the same way.
 */
const scheduleBody = scheduleInputSchema.extend({
  pipeline: storableText().min(1).max(200),
  scope: storableJsonObject(),
  params: storableJsonObject().optional(),
  cron: storableText().min(1).max(200).optional(),
  time_zone: storableText().min(1).max(100).optional(),
});

const documented = {
  ...timingAndOptions,
  cron: timingAndOptions.cron.describe('5 fields, or 6 with seconds first; give cron or interval_seconds'),
  time_zone: timingAndOptions.time_zone.describe('IANA zone the cron expression is read in; default UTC'),
  interval_seconds: timingAndOptions.interval_seconds.describe('Instead of cron: counted from start_at, else from creation'),
  start_at: timingAndOptions.start_at.describe(INSTANT_RULES),
  end_at: timingAndOptions.end_at.describe(INSTANT_RULES),
  max_attempts: timingAndOptions.max_attempts.describe('Attempt budget of each job; default WORKER_MAX_ATTEMPTS'),
};

/** The schedule as documented: one member per registered pipeline, with its own scope and params schemas. */
function scheduleRequestSchema(handlers: HandlerRegistry) {
  const members = handlers.pipelines().map((pipeline) => {
    const handler = handlers.get(pipeline);
    if (handler === undefined) throw new Error(`pipeline ${pipeline} is listed but has no handler`);
    return z
      .strictObject({
        ...documented,
        pipeline: z.literal(pipeline),
        scope: handler.scopeSchema.describe(`The scope of every job. ${JSON_RULES}`),
        params: handler.paramsSchema.optional().describe(`Pipeline options of every job. ${JSON_RULES}`),
      })
      .describe(`A schedule of ${pipeline} jobs`);
  });
  const [first, ...rest] = members;
  if (first === undefined) throw new Error('no pipeline is registered');
  return z
    .discriminatedUnion('pipeline', [first, ...rest])
    .meta({ description: 'A schedule of one registered pipeline', discriminator: { propertyName: 'pipeline' } });
}

/**
 * The body is checked by the generic schema above, then by the pipeline's schemas in the service; the
 * documented union states the same rules. Fastify types this compiler's schema as the whole route
 * schema while it is called with one part of it, a zod schema here: hence the cast.
 */
const checkBodyGenerically: Parameters<FastifyInstance['post']>[1]['validatorCompiler'] = (route) =>
  validatorCompiler({ ...route, schema: route.httpPart === 'body' ? scheduleBody : (route.schema as unknown as z.ZodType) });

/** A refused write as a problem document. */
function refusal(outcome: Exclude<ScheduleOutcome, { ok: true }>, id?: string): HttpProblem {
  switch (outcome.reason) {
    case 'invalid':
      return new HttpProblem(400, 'the schedule is invalid', outcome.problems.map((p) => ({ ...p, field: `body.${p.field}` })));
    case 'name_taken':
      return new HttpProblem(409, `schedule ${outcome.existing.id} is already named "${outcome.existing.name}"; names are unique among schedules not deleted`);
    case 'not_found':
      return scheduleNotFound(id ?? '');
  }
}

/** A schedule SCHEDULES_FILE declares is the file's: changing it here would be undone or orphaned at the next start. */
function ownedByFile(schedule: Schedule): HttpProblem {
  return new HttpProblem(409, `schedule ${schedule.id} ("${schedule.name}") is declared in SCHEDULES_FILE; change or remove it there`);
}

/** Creating, listing, reading, replacing and deleting schedules. */
export function registerScheduleRoutes(app: FastifyInstance, schedules: ScheduleApi, handlers: HandlerRegistry): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const body = scheduleRequestSchema(handlers);

  routes.post('/schedules', {
    validatorCompiler: checkBodyGenerically,
    schema: {
      operationId: 'createSchedule',
      summary: 'Create a schedule: one job of its pipeline per occurrence',
      tags: ['schedules'],
      body,
      response: { 201: scheduleResponseSchema, 400: problemSchema, 401: problemSchema, 409: problemSchema, 413: problemSchema, 415: problemSchema },
      responseDocs: {
        201: { description: 'The schedule is stored; next_run_at is its first occurrence from now', headers: { Location: LOCATION } },
        409: { description: 'A schedule not deleted already has this name' },
      },
    },
    handler: async (request, reply) => {
      const outcome = await schedules.service.create(request.body, 'api');
      if (!outcome.ok) throw refusal(outcome);
      return reply.code(201).header('location', `/internal/v1/schedules/${outcome.schedule.id}`).send({ schedule: scheduleResource(outcome.schedule) });
    },
  });

  routes.get('/schedules', {
    schema: {
      operationId: 'listSchedules',
      summary: 'List schedules not deleted, newest first',
      tags: ['schedules'],
      querystring: pageQuery,
      response: {
        200: z
          .object({ schedules: z.array(scheduleSchema), next_cursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last') })
          .meta({ id: 'SchedulePage' }),
        400: problemSchema,
        401: problemSchema,
      },
      responseDocs: { 200: { description: 'A page of schedules' } },
    },
    handler: async (request) => {
      const { limit, cursor } = request.query;
      const page = await schedules.repository.listSchedules({ limit, ...(cursor === undefined ? {} : { cursor }) });
      return { schedules: page.schedules.map(scheduleResource), next_cursor: page.nextCursor };
    },
  });

  routes.get('/schedules/:id', {
    schema: {
      operationId: 'getSchedule',
      summary: 'A schedule, deleted ones included',
      tags: ['schedules'],
      params: scheduleIdParams,
      response: { 200: scheduleResponseSchema, 401: problemSchema, 404: problemSchema },
      responseDocs: { 200: { description: 'The schedule; a deleted one has deleted_at set' }, 404: { description: 'No schedule has this id' } },
    },
    handler: async (request) => {
      const schedule = await schedules.repository.getSchedule(request.params.id);
      if (schedule === null) throw new HttpProblem(404, `schedule ${request.params.id} does not exist`);
      return { schedule: scheduleResource(schedule) };
    },
  });

  routes.put('/schedules/:id', {
    validatorCompiler: checkBodyGenerically,
    schema: {
      operationId: 'replaceSchedule',
      summary: 'Replace a schedule; next_run_at is placed anew from now when its timing changed',
      tags: ['schedules'],
      params: scheduleIdParams,
      body,
      response: { 200: scheduleResponseSchema, 400: problemSchema, 401: problemSchema, 404: problemSchema, 409: problemSchema, 413: problemSchema, 415: problemSchema },
      responseDocs: {
        200: { description: 'The schedule as it now is' },
        404: { description: 'No schedule has this id, or it was deleted' },
        409: { description: 'Another schedule has this name, or SCHEDULES_FILE declares this one' },
      },
    },
    handler: async (request) => {
      const current = await schedules.repository.getSchedule(request.params.id);
      if (current === null || current.deletedAt !== null) throw scheduleNotFound(request.params.id);
      if (current.origin === 'file') throw ownedByFile(current);
      const outcome = await schedules.service.replace(request.params.id, request.body, 'api');
      if (!outcome.ok) throw refusal(outcome, request.params.id);
      return { schedule: scheduleResource(outcome.schedule) };
    },
  });

  routes.delete('/schedules/:id', {
    schema: {
      operationId: 'deleteSchedule',
      summary: 'Delete a schedule: it fires no more; it and its runs stay readable',
      tags: ['schedules'],
      params: scheduleIdParams,
      response: { 200: scheduleResponseSchema, 401: problemSchema, 404: problemSchema, 409: problemSchema },
      responseDocs: {
        200: { description: 'The schedule, with deleted_at set; its name is free again' },
        404: { description: 'No schedule has this id, or it was deleted' },
        409: { description: 'SCHEDULES_FILE declares this schedule' },
      },
    },
    handler: async (request) => {
      const current = await schedules.repository.getSchedule(request.params.id);
      if (current === null || current.deletedAt !== null) throw scheduleNotFound(request.params.id);
      if (current.origin === 'file') throw ownedByFile(current);
      const outcome = await schedules.repository.deleteSchedule(request.params.id);
      if (!outcome.ok) throw refusal(outcome, request.params.id);
      return { schedule: scheduleResource(outcome.schedule) };
    },
  });
}
