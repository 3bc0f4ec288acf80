import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { JobRepository } from '../../../../core/job-repository.js';
import { ScheduleTimingError } from '../../../../core/schedule/timing-error.js';
import { jobResource, jobSchema } from '../job-resource.js';
import { HttpProblem, problemSchema } from '../problem.js';
import { INSTANT_RULES, storableInstant, storableText } from '../request-fields.js';
import {
  previewedOccurrenceResource,
  previewedOccurrenceSchema,
  scheduleResource,
  scheduleResponseSchema,
  scheduleRunResource,
  scheduleRunSchema,
} from '../schedule-resource.js';
import { pageQuery, scheduleIdParams, scheduleNotFound, type ScheduleApi } from './schedule-routes.js';

const pauseBody = z.strictObject({
  reason: storableText().min(1).max(500).describe('Why, for whoever looks next'),
  until: storableInstant().optional().describe(`The pause ends by itself at this instant; absent: until resumed. ${INSTANT_RULES}`),
});

const previewQuery = z.strictObject({
  count: z.coerce.number().int().min(1).max(100).default(10),
  from: storableInstant().optional().describe(`The first occurrence at or after this instant; default now. ${INSTANT_RULES}`),
});

/** A stored timing that no longer compiles (the firing pass sets such a schedule aside too). */
function unreadableTiming(id: string, error: ScheduleTimingError): HttpProblem {
  return new HttpProblem(409, `schedule ${id} has a stored timing that can no longer be read: ${error.message}; replace it`);
}

/** Pausing, resuming, triggering, a schedule's runs and its coming occurrences. */
export function registerScheduleActionRoutes(app: FastifyInstance, schedules: ScheduleApi, jobs: JobRepository): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.post('/schedules/:id/pause', {
    schema: {
      operationId: 'pauseSchedule',
      summary: 'Pause a schedule: its occurrences until the pause ends are neither fired nor counted as missed',
      tags: ['schedules'],
      params: scheduleIdParams,
      body: pauseBody,
      response: { 200: scheduleResponseSchema, 400: problemSchema, 401: problemSchema, 404: problemSchema, 415: problemSchema },
      responseDocs: { 200: { description: 'The schedule, paused; pausing a paused schedule replaces its reason and end' } },
    },
    handler: async (request) => {
      const { reason, until } = request.body;
      const outcome = await schedules.repository.pauseSchedule(request.params.id, reason, until === undefined ? null : new Date(until));
      if (!outcome.ok) throw scheduleNotFound(request.params.id);
      return { schedule: scheduleResource(outcome.schedule) };
    },
  });

  routes.post('/schedules/:id/resume', {
    schema: {
      operationId: 'resumeSchedule',
      summary: 'End a pause: the next run is the first occurrence from now',
      tags: ['schedules'],
      params: scheduleIdParams,
      response: { 200: scheduleResponseSchema, 401: problemSchema, 404: problemSchema, 409: problemSchema },
      responseDocs: {
        200: { description: 'The schedule, not paused; resuming one that is not paused changes nothing' },
        409: { description: 'The stored timing can no longer be read' },
      },
    },
    handler: async (request) => {
      try {
        const outcome = await schedules.service.resume(request.params.id);
        if (!outcome.ok) throw scheduleNotFound(request.params.id);
        return { schedule: scheduleResource(outcome.schedule) };
      } catch (error) {
        if (error instanceof ScheduleTimingError) throw unreadableTiming(request.params.id, error);
        throw error;
      }
    },
  });

  routes.post('/schedules/:id/trigger', {
    schema: {
      operationId: 'triggerSchedule',
      summary: 'Run a schedule once now, outside its timing (paused or disabled ones too)',
      tags: ['schedules'],
      params: scheduleIdParams,
      response: {
        201: z.object({ run: scheduleRunSchema, job: jobSchema }).meta({ id: 'ScheduleTrigger' }),
        401: problemSchema,
        404: problemSchema,
      },
      responseDocs: {
        201: { description: 'A triggered run and its job; the timing and next_run_at are unchanged', headers: { Location: { type: 'string', description: 'The job: /internal/v1/jobs/{id}' } } },
        404: { description: 'No schedule has this id, or it was deleted' },
      },
    },
    handler: async (request, reply) => {
      const triggered = await schedules.repository.triggerSchedule(request.params.id, schedules.defaultMaxAttempts);
      if (!triggered.ok) throw scheduleNotFound(request.params.id);
      const { run } = triggered;
      const details = run.jobId === null ? null : await jobs.getJob(run.jobId);
      if (details === null) throw new Error(`the job of triggered run ${run.id} cannot be found`);
      return reply
        .code(201)
        .header('location', `/internal/v1/jobs/${details.job.id}`)
        .send({ run: scheduleRunResource(run), job: jobResource(details.job) });
    },
  });

  routes.get('/schedules/:id/runs', {
    schema: {
      operationId: 'listScheduleRuns',
      summary: "A schedule's decided occurrences, latest first: fired, triggered or skipped, with lag and job",
      tags: ['schedules'],
      params: scheduleIdParams,
      querystring: pageQuery,
      response: {
        200: z
          .object({ runs: z.array(scheduleRunSchema), next_cursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last') })
          .meta({ id: 'ScheduleRunPage' }),
        400: problemSchema,
        401: problemSchema,
        404: problemSchema,
      },
      responseDocs: { 200: { description: "A page of the schedule's runs; a deleted schedule's stay listed" }, 404: { description: 'No schedule has this id' } },
    },
    handler: async (request) => {
      if ((await schedules.repository.getSchedule(request.params.id)) === null) {
        throw new HttpProblem(404, `schedule ${request.params.id} does not exist`);
      }
      const { limit, cursor } = request.query;
      const page = await schedules.repository.listScheduleRuns(request.params.id, { limit, ...(cursor === undefined ? {} : { cursor }) });
      return { runs: page.runs.map(scheduleRunResource), next_cursor: page.nextCursor };
    },
  });

  routes.get('/schedules/:id/preview', {
    schema: {
      operationId: 'previewSchedule',
      summary: "A schedule's next occurrences in UTC and local time, flagging those daylight saving moved",
      description: 'From the timing alone: a pause, enabled=false or deletion does not change what is listed.',
      tags: ['schedules'],
      params: scheduleIdParams,
      querystring: previewQuery,
      response: {
        200: z.object({ occurrences: z.array(previewedOccurrenceSchema) }).meta({ id: 'SchedulePreview' }),
        400: problemSchema,
        401: problemSchema,
        404: problemSchema,
        409: problemSchema,
      },
      responseDocs: {
        200: { description: 'Up to count occurrences at or after from; fewer when the schedule ends first' },
        404: { description: 'No schedule has this id' },
        409: { description: 'The stored timing can no longer be read' },
      },
    },
    handler: async (request) => {
      const schedule = await schedules.repository.getSchedule(request.params.id);
      if (schedule === null) throw new HttpProblem(404, `schedule ${request.params.id} does not exist`);
      const from = request.query.from === undefined ? new Date() : new Date(request.query.from);
      try {
        return { occurrences: schedules.service.preview(schedule, from, request.query.count).map(previewedOccurrenceResource) };
      } catch (error) {
        if (error instanceof ScheduleTimingError) throw unreadableTiming(request.params.id, error);
        throw error;
      }
    },
  });
}
