import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { problemsFromZod } from '../application/field-problem.js';
import { scheduleInputSchema, type ScheduleInput } from '../application/scheduler/schedule-input.js';
import { sameDefinition, type ScheduleService } from '../application/scheduler/schedule-service.js';
import type { JobRepository } from '../core/job-repository.js';
import type { ScheduleDefinition, ScheduleRepository } from '../core/schedule-repository.js';
import { ConfigError } from './config.js';

const fileSchema = z
  .object({
    schedules: z.array(scheduleInputSchema).default([]),
    /** Per-pipeline running limits (PUT /pipelines/{name}/limits), set at start; null removes one. */
    pipelines: z.record(z.string(), z.object({ max_running: z.int().min(1).max(2_147_483_647).nullable() }).strict()).default({}),
  })
  .strict();

/** What a schedules file declares, checked. */
export interface SchedulesFile {
  schedules: ScheduleDefinition[];
  limits: { pipeline: string; maxRunning: number | null }[];
}

/** Sets the file's pipeline limits; pipelines it does not name keep theirs (set through the API). */
export async function applyPipelineLimits(limits: SchedulesFile['limits'], jobs: Pick<JobRepository, 'setPipelineLimit'>): Promise<string[]> {
  for (const limit of limits) await jobs.setPipelineLimit(limit.pipeline, limit.maxRunning);
  return limits.map((limit) => limit.pipeline);
}

export interface SchedulesFileReport {
  created: string[];
  updated: string[];
  unchanged: string[];
  /** Declared by an earlier version of the file, no longer in it: deleted (their runs stay). */
  removed: string[];
  /** Made through the API under a name the file also uses: left alone. */
  leftAlone: string[];
}

/**
 * Reads SCHEDULES_FILE (JSON, or YAML by its .yaml/.yml extension) and checks every schedule in it as
 * the API would; any problem fails the start with one ConfigError naming each (`schedules.2.cron`).
 */
export async function readSchedulesFile(path: string, service: ScheduleService, pipelines: readonly string[]): Promise<SchedulesFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`SCHEDULES_FILE: cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`]);
  }
  let raw: unknown;
  try {
    raw = ['.yaml', '.yml'].includes(extname(path).toLowerCase()) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`SCHEDULES_FILE: ${path} is not valid ${extname(path) === '.json' ? 'JSON' : 'YAML or JSON'}: ${error instanceof Error ? error.message : String(error)}`]);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(problemsFromZod('', parsed.error).map((p) => `SCHEDULES_FILE ${path}: ${p.field || '(top level)'}: ${p.message}`));
  }
  const problems: string[] = [];
  const definitions: ScheduleDefinition[] = [];
  const names = new Set<string>();
  parsed.data.schedules.forEach((input: ScheduleInput, index) => {
    if (names.has(input.name)) problems.push(`SCHEDULES_FILE ${path}: schedules.${index}.name: "${input.name}" is declared twice`);
    names.add(input.name);
    const checked = service.check(input, 'file');
    if (checked.ok) definitions.push(checked.definition);
    else problems.push(...checked.problems.map((p) => `SCHEDULES_FILE ${path}: schedules.${index}.${p.field}: ${p.message}`));
  });
  const limits = Object.entries(parsed.data.pipelines).map(([pipeline, limit]) => {
    if (!pipelines.includes(pipeline)) problems.push(`SCHEDULES_FILE ${path}: pipelines.${pipeline}: unknown pipeline; registered: ${pipelines.join(', ')}`);
    return { pipeline, maxRunning: limit.max_running };
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return { schedules: definitions, limits };
}

/**
 * Makes the stored schedules match the file, by name: new ones are created, changed ones updated
 * (their next run moves only if their timing changed), unchanged ones not touched, so restarting a
 * fleet loses and repeats no occurrence. Schedules made through the API are never changed by it.
 * Safe to run from every worker at once.
 */
export async function applySchedules(
  definitions: ScheduleDefinition[],
  service: ScheduleService,
  schedules: ScheduleRepository,
): Promise<SchedulesFileReport> {
  const report: SchedulesFileReport = { created: [], updated: [], unchanged: [], removed: [], leftAlone: [] };
  for (const definition of definitions) {
    const input = inputOf(definition);
    let existing = await schedules.getScheduleByName(definition.name);
    if (existing === null) {
      const created = await service.create(input, 'file');
      if (created.ok) {
        report.created.push(definition.name);
        continue;
      }
      if (created.reason !== 'name_taken') throw new Error(`creating schedule "${definition.name}" failed: ${created.reason}`);
      // Another worker applying the same file got there first.
      existing = created.existing;
    }
    if (existing.origin === 'api') {
      report.leftAlone.push(definition.name);
    } else if (sameDefinition(existing, definition)) {
      report.unchanged.push(definition.name);
    } else {
      const replaced = await service.replace(existing.id, input, 'file');
      if (!replaced.ok) throw new Error(`updating schedule "${definition.name}" failed: ${replaced.reason}`);
      report.updated.push(definition.name);
    }
  }
  const declared = new Set(definitions.map((d) => d.name));
  for (let cursor: string | undefined, more = true; more; ) {
    const page = await schedules.listSchedules({ limit: 200, ...(cursor === undefined ? {} : { cursor }) });
    for (const schedule of page.schedules) {
      if (schedule.origin === 'file' && !declared.has(schedule.name)) {
        const deleted = await schedules.deleteSchedule(schedule.id);
        if (deleted.ok) report.removed.push(schedule.name);
      }
    }
    cursor = page.nextCursor ?? undefined;
    more = page.nextCursor !== null;
  }
  return report;
}

/** A checked definition back in the file's own terms, for the service that checks it again. */
function inputOf(d: ScheduleDefinition): ScheduleInput {
  return {
    name: d.name,
    pipeline: d.pipeline,
    scope: d.scope,
    params: d.params,
    priority: d.priority,
    ...(d.maxAttempts === null ? {} : { max_attempts: d.maxAttempts }),
    force_republish: d.forceRepublish,
    ...(d.cron === null ? {} : { cron: d.cron }),
    time_zone: d.timeZone,
    ...(d.intervalSeconds === null ? {} : { interval_seconds: d.intervalSeconds }),
    ...(d.startAt === null ? {} : { start_at: d.startAt.toISOString() }),
    ...(d.endAt === null ? {} : { end_at: d.endAt.toISOString() }),
    jitter_seconds: d.jitterSeconds,
    missed_policy: d.missedPolicy,
    max_catchup: d.maxCatchup,
    overlap_policy: d.overlapPolicy,
    enabled: d.enabled,
  };
}
