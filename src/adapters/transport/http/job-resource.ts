import { z } from 'zod';
import { jsonObjectSchema } from './json-value.js';
import {
  ATTEMPT_OUTCOMES,
  FAILURE_CATEGORIES,
  JOB_STATES,
  type Job,
  type JobAttempt,
  type JobDetails,
  type JobFailure,
  type JobStateTransition,
} from '../../../core/job.js';

const instant = z.iso.datetime({ offset: true });
const jsonObject = jsonObjectSchema;

const failureSchema = z
  .object({ category: z.enum(FAILURE_CATEGORIES), code: z.string(), message: z.string(), retryable: z.boolean() })
  .meta({ id: 'Failure' });

export const jobSchema = z
  .object({
    id: z.string().describe('Decimal job id'),
    pipeline: z.string(),
    scope: jsonObject,
    scope_key: z.string().describe('Canonical JSON of the scope'),
    params: jsonObject,
    state: z.enum(JOB_STATES),
    priority: z.int(),
    attempt_count: z.int().describe('Attempts started so far; attempt rows are numbered 1..attempt_count'),
    spent_attempts: z.int().describe('Attempts charged against max_attempts'),
    max_attempts: z.int(),
    interruptions: z
      .int()
      .describe('Expired leases and database failures under the job, not charged to max_attempts; the worker ends it exhausted at its ceiling'),
    next_retry_at: instant.describe('When the job is next due'),
    claimed_by: z.string().nullable(),
    claimed_at: instant.nullable(),
    lease_until: instant.nullable(),
    last_heartbeat_at: instant.nullable(),
    failure: failureSchema.nullable().describe('The last failure, if any'),
    parser_version: z.string().nullable(),
    normalizer_version: z.string().nullable(),
    counters: jsonObject,
    force_republish: z.boolean(),
    idempotency_key: z.string().nullable(),
    cancel_requested: z.boolean(),
    correlation_id: z.string().nullable(),
    schedule_id: z.string().nullable(),
    parent_job_id: z.string().nullable().describe('The job whose success declared this one as a follow-up'),
    created_at: instant,
    updated_at: instant,
    finished_at: instant.nullable(),
  })
  .meta({ id: 'Job' });

const attemptSchema = z
  .object({
    attempt_number: z.int(),
    worker_id: z.string(),
    started_at: instant,
    finished_at: instant.nullable(),
    outcome: z.enum(ATTEMPT_OUTCOMES).nullable(),
    failure: failureSchema.nullable(),
    duration_ms: z.int().nullable(),
  })
  .meta({ id: 'JobAttempt' });

const transitionSchema = z
  .object({
    attempt_number: z.int(),
    from_state: z.enum(JOB_STATES).nullable(),
    to_state: z.enum(JOB_STATES),
    reason: z.string(),
    at: instant,
  })
  .meta({ id: 'JobStateTransition' });

export const jobDetailsSchema = z
  .object({ job: jobSchema, attempts: z.array(attemptSchema), transitions: z.array(transitionSchema) })
  .meta({ id: 'JobDetails' });

/** The answer of every route that acts on one job (enqueue, retry). */
export const jobResponseSchema = z.object({ job: jobSchema }).meta({ id: 'JobResponse' });

export type JobResource = z.infer<typeof jobSchema>;

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

function failureResource(failure: JobFailure | null) {
  return failure === null ? null : { ...failure };
}

export function jobResource(job: Job): JobResource {
  return {
    id: job.id,
    pipeline: job.pipeline,
    scope: job.scope,
    scope_key: job.scopeKey,
    params: job.params,
    state: job.state,
    priority: job.priority,
    attempt_count: job.attemptCount,
    spent_attempts: job.spentAttempts,
    max_attempts: job.maxAttempts,
    interruptions: job.interruptions,
    next_retry_at: job.nextRetryAt.toISOString(),
    claimed_by: job.claimedBy,
    claimed_at: iso(job.claimedAt),
    lease_until: iso(job.leaseUntil),
    last_heartbeat_at: iso(job.lastHeartbeatAt),
    failure: failureResource(job.failure),
    parser_version: job.parserVersion,
    normalizer_version: job.normalizerVersion,
    counters: job.counters,
    force_republish: job.forceRepublish,
    idempotency_key: job.idempotencyKey,
    cancel_requested: job.cancelRequested,
    correlation_id: job.correlationId,
    schedule_id: job.scheduleId,
    parent_job_id: job.parentJobId,
    created_at: job.createdAt.toISOString(),
    updated_at: job.updatedAt.toISOString(),
    finished_at: iso(job.finishedAt),
  };
}

function attemptResource(attempt: JobAttempt) {
  return {
    attempt_number: attempt.attemptNumber,
    worker_id: attempt.workerId,
    started_at: attempt.startedAt.toISOString(),
    finished_at: iso(attempt.finishedAt),
    outcome: attempt.outcome,
    failure: failureResource(attempt.failure),
    duration_ms: attempt.durationMs,
  };
}

function transitionResource(transition: JobStateTransition) {
  return {
    attempt_number: transition.attemptNumber,
    from_state: transition.fromState,
    to_state: transition.toState,
    reason: transition.reason,
    at: transition.at.toISOString(),
  };
}

export function jobDetailsResource(details: JobDetails): z.infer<typeof jobDetailsSchema> {
  return {
    job: jobResource(details.job),
    attempts: details.attempts.map(attemptResource),
    transitions: details.transitions.map(transitionResource),
  };
}
