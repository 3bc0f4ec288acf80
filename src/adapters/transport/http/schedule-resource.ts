import { z } from 'zod';
import type { PreviewedOccurrence } from '../../../core/schedule/preview.js';
import type { Schedule, ScheduleRun } from '../../../core/schedule-repository.js';
import { jsonObjectSchema } from './json-value.js';

const instant = z.iso.datetime({ offset: true });

export const scheduleSchema = z
  .object({
    id: z.string().describe('Decimal schedule id'),
    name: z.string().describe('Unique among schedules not deleted'),
    pipeline: z.string(),
    scope: jsonObjectSchema.describe("The scope of every job it makes, as the pipeline's scope schema accepted it"),
    params: jsonObjectSchema,
    priority: z.int(),
    max_attempts: z.int().nullable().describe('null: WORKER_MAX_ATTEMPTS when each job is made'),
    force_republish: z.boolean(),
    cron: z.string().nullable().describe('5 fields, or 6 with seconds first; null for an interval schedule'),
    time_zone: z.string().describe('IANA zone the cron expression is read in'),
    interval_seconds: z.int().nullable(),
    start_at: instant.nullable(),
    end_at: instant.nullable(),
    jitter_seconds: z.int(),
    missed_policy: z.enum(['skip', 'latest', 'all']),
    max_catchup: z.int(),
    overlap_policy: z.enum(['allow', 'skip', 'buffer_one']),
    enabled: z.boolean(),
    origin: z.enum(['api', 'file']).describe('file: declared in SCHEDULES_FILE, which owns it; api: made through this API'),
    paused_at: instant.nullable(),
    paused_reason: z.string().nullable(),
    paused_until: instant.nullable().describe('The pause ends by itself at this instant; null: until resumed'),
    next_run_at: instant.nullable().describe('The first occurrence not yet decided on; null when the schedule has no more'),
    fire_at: instant.nullable().describe('When that occurrence fires: next_run_at plus its jitter'),
    buffered_at: instant.nullable().describe('Under buffer_one: the occurrence held until the previous job ends'),
    last_occurrence_at: instant.nullable(),
    last_job_id: z.string().nullable(),
    created_at: instant,
    updated_at: instant,
    deleted_at: instant.nullable(),
  })
  .meta({ id: 'Schedule' });

export const scheduleResponseSchema = z.object({ schedule: scheduleSchema }).meta({ id: 'ScheduleResponse' });

export const scheduleRunSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['fired', 'triggered', 'skipped_missed', 'skipped_overlap']),
    occurrence_at: instant.describe('The occurrence (for a skipped range, its first); for a trigger, the instant it was asked for'),
    due_at: instant.nullable().describe('When it was due: the occurrence plus its jitter; null for a trigger'),
    decided_at: instant.describe('When it was fired or skipped'),
    lag_ms: z.int().nullable().describe('decided_at minus due_at; null when there is no due_at'),
    job_id: z.string().nullable().describe('The job it made; null when skipped'),
    skipped_count: z.int().describe('Occurrences this run skipped (0 when fired)'),
    skipped_count_exact: z.boolean().describe('false: skipped_count is a lower bound'),
    last_occurrence_at: instant.nullable().describe('For a skipped range: its last occurrence'),
    reason: z.string().nullable().describe('Why it was skipped'),
  })
  .meta({ id: 'ScheduleRun' });

export const previewedOccurrenceSchema = z
  .object({
    at: instant.describe('The occurrence in UTC'),
    local: z.string().describe("The same instant on the schedule zone's wall clock with its offset, e.g. 2026-03-29T03:00:00+02:00"),
    dst_adjustment: z
      .enum(['shifted_out_of_gap', 'repeated_time_fired_once'])
      .nullable()
      .describe('shifted_out_of_gap: the wall-clock time did not exist that day and it fires at the first instant after the gap; ' +
        'repeated_time_fired_once: the wall-clock time happened twice and it fires on the first pass only'),
    fire_at: instant.describe('When it fires: the occurrence plus its jitter'),
  })
  .meta({ id: 'PreviewedOccurrence' });

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

export function scheduleResource(s: Schedule): z.infer<typeof scheduleSchema> {
  return {
    id: s.id,
    name: s.name,
    pipeline: s.pipeline,
    scope: s.scope,
    params: s.params,
    priority: s.priority,
    max_attempts: s.maxAttempts,
    force_republish: s.forceRepublish,
    cron: s.cron,
    time_zone: s.timeZone,
    interval_seconds: s.intervalSeconds,
    start_at: iso(s.startAt),
    end_at: iso(s.endAt),
    jitter_seconds: s.jitterSeconds,
    missed_policy: s.missedPolicy,
    max_catchup: s.maxCatchup,
    overlap_policy: s.overlapPolicy,
    enabled: s.enabled,
    origin: s.origin,
    paused_at: iso(s.pausedAt),
    paused_reason: s.pausedReason,
    paused_until: iso(s.pausedUntil),
    next_run_at: iso(s.nextRunAt),
    fire_at: iso(s.fireAt),
    buffered_at: iso(s.bufferedAt),
    last_occurrence_at: iso(s.lastOccurrenceAt),
    last_job_id: s.lastJobId,
    created_at: s.createdAt.toISOString(),
    updated_at: s.updatedAt.toISOString(),
    deleted_at: iso(s.deletedAt),
  };
}

export function scheduleRunResource(run: ScheduleRun): z.infer<typeof scheduleRunSchema> {
  return {
    id: run.id,
    kind: run.kind,
    occurrence_at: run.occurrenceAt.toISOString(),
    due_at: iso(run.dueAt),
    decided_at: run.decidedAt.toISOString(),
    lag_ms: run.dueAt === null ? null : run.decidedAt.getTime() - run.dueAt.getTime(),
    job_id: run.jobId,
    skipped_count: run.skippedCount,
    skipped_count_exact: run.skippedCountExact,
    last_occurrence_at: iso(run.lastOccurrenceAt),
    reason: run.reason,
  };
}

export function previewedOccurrenceResource(occurrence: PreviewedOccurrence): z.infer<typeof previewedOccurrenceSchema> {
  return {
    at: occurrence.utc,
    local: occurrence.local,
    dst_adjustment: occurrence.dstAdjustment,
    // The service always previews with the schedule's jitter seed, so every occurrence has one.
    fire_at: (occurrence.fireAt ?? occurrence.occurrence).toISOString(),
  };
}
