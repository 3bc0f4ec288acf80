import { canonicalJson } from '../../core/canonical-json.js';
import type { CronEngine } from '../../core/schedule/cron-engine.js';
import { previewOccurrences, type PreviewedOccurrence } from '../../core/schedule/preview.js';
import { ScheduleTimingError } from '../../core/schedule/timing-error.js';
import { DEFAULT_MAX_CATCHUP, DEFAULT_TIME_ZONE } from '../../core/schedule/timing.js';
import type { Schedule, ScheduleDefinition, ScheduleRepository, ScheduleWrite } from '../../core/schedule-repository.js';
import { scopeKeyOf } from '../../core/scope-key.js';
import { problemsFromZod, type FieldProblem } from '../field-problem.js';
import type { HandlerRegistry } from '../handler-registry.js';
import type { ScheduleInput } from './schedule-input.js';
import { jitterSeed, nextRunFrom, timingOf } from './schedule-timing.js';

export type CheckedSchedule = { ok: true; definition: ScheduleDefinition } | { ok: false; problems: FieldProblem[] };

export type ScheduleOutcome = ScheduleWrite | { ok: false; reason: 'invalid'; problems: FieldProblem[] };

/**
 * Turns schedule inputs into stored schedules: the pipeline's own scope and params schemas and the
 * timing rules are checked at write time, so a schedule that is stored can fire, and every write
 * places the next run from the database's now.
 */
export class ScheduleService {
  constructor(
    private readonly schedules: ScheduleRepository,
    private readonly handlers: HandlerRegistry,
    private readonly engine: CronEngine,
  ) {}

  check(input: ScheduleInput, origin: ScheduleDefinition['origin']): CheckedSchedule {
    const handler = this.handlers.get(input.pipeline);
    if (handler === undefined) {
      return { ok: false, problems: [{ field: 'pipeline', message: `unknown pipeline; registered: ${this.handlers.pipelines().join(', ')}` }] };
    }
    const scope = handler.scopeSchema.safeParse(input.scope);
    const params = handler.paramsSchema.safeParse(input.params ?? {});
    const problems: FieldProblem[] = [
      ...(scope.success ? [] : problemsFromZod('scope', scope.error)),
      ...(params.success ? [] : problemsFromZod('params', params.error)),
    ];
    const definition: ScheduleDefinition = {
      name: input.name,
      pipeline: input.pipeline,
      scope: scope.success ? scope.data : {},
      scopeKey: scope.success ? scopeKeyOf(scope.data) : '',
      params: params.success ? params.data : {},
      priority: input.priority ?? 0,
      maxAttempts: input.max_attempts ?? null,
      forceRepublish: input.force_republish ?? false,
      cron: input.cron ?? null,
      timeZone: input.time_zone ?? DEFAULT_TIME_ZONE,
      intervalSeconds: input.interval_seconds ?? null,
      startAt: input.start_at === undefined ? null : new Date(input.start_at),
      endAt: input.end_at === undefined ? null : new Date(input.end_at),
      jitterSeconds: input.jitter_seconds ?? 0,
      missedPolicy: input.missed_policy ?? 'skip',
      maxCatchup: input.max_catchup ?? DEFAULT_MAX_CATCHUP,
      overlapPolicy: input.overlap_policy ?? 'allow',
      enabled: input.enabled ?? true,
      origin,
    };
    try {
      timingOf(this.engine, definition, new Date(0));
    } catch (error) {
      if (!(error instanceof ScheduleTimingError)) throw error;
      problems.push(...error.issues.map((issue) => ({ field: issue.field, message: issue.message })));
    }
    return problems.length > 0 ? { ok: false, problems } : { ok: true, definition };
  }

  async create(input: ScheduleInput, origin: ScheduleDefinition['origin'] = 'api'): Promise<ScheduleOutcome> {
    const checked = this.check(input, origin);
    if (!checked.ok) return { ok: false, reason: 'invalid', problems: checked.problems };
    const { definition } = checked;
    return this.schedules.createSchedule(definition, (now) => nextRunFrom(timingOf(this.engine, definition, now), definition, now));
  }

  /**
   * Replaces a schedule's definition. The next run is placed anew from now when the timing changed;
   * an unchanged definition changes nothing (no occurrence is lost or repeated by a no-op write).
   */
  async replace(id: string, input: ScheduleInput, origin: ScheduleDefinition['origin'] = 'api'): Promise<ScheduleOutcome> {
    const checked = this.check(input, origin);
    if (!checked.ok) return { ok: false, reason: 'invalid', problems: checked.problems };
    const { definition } = checked;
    return this.schedules.updateSchedule(id, (current, now) => {
      if (sameDefinition(current, definition)) return undefined;
      // Only a change of timing (or of the name, which seeds the jitter) moves the next run.
      const keepsTiming = timingKey(current) === timingKey(definition);
      const next = keepsTiming
        ? { nextRunAt: current.nextRunAt, fireAt: current.fireAt }
        : nextRunFrom(timingOf(this.engine, definition, current.createdAt), definition, now);
      // A held occurrence is one of this timing: it stays when the timing does, and fires as before.
      return { definition, next, keepHeld: keepsTiming };
    });
  }

  /**
   * Ends a pause. The next run is placed from now (never earlier than it stood), so the occurrences
   * of the paused span are neither fired nor counted as missed; a schedule that is not paused keeps
   * its next run.
   */
  async resume(id: string): Promise<ScheduleWrite> {
    return this.schedules.resumeSchedule(id, (current, now) => {
      const kept = { nextRunAt: current.nextRunAt, fireAt: current.fireAt };
      if (current.pausedAt === null) return kept;
      const resumed = nextRunFrom(timingOf(this.engine, current, current.createdAt), current, now);
      if (current.nextRunAt !== null && resumed.nextRunAt !== null && resumed.nextRunAt < current.nextRunAt) return kept;
      return resumed;
    });
  }

  /** The schedule's next `count` occurrences at or after `from`, with the fire time its jitter gives each. */
  preview(schedule: Schedule, from: Date, count: number): PreviewedOccurrence[] {
    return previewOccurrences(timingOf(this.engine, schedule, schedule.createdAt), from, count, jitterSeed(schedule));
  }
}

function timingKey(d: ScheduleDefinition): string {
  return canonicalJson({
    name: d.name,
    cron: d.cron,
    timeZone: d.timeZone,
    intervalSeconds: d.intervalSeconds,
    startAt: d.startAt?.toISOString() ?? null,
    endAt: d.endAt?.toISOString() ?? null,
    jitterSeconds: d.jitterSeconds,
  });
}

/** Whether a stored schedule already is what `definition` describes. */
export function sameDefinition(current: Schedule, definition: ScheduleDefinition): boolean {
  const pick = (d: ScheduleDefinition) =>
    canonicalJson({
      ...d,
      startAt: d.startAt?.toISOString() ?? null,
      endAt: d.endAt?.toISOString() ?? null,
    });
  const stored: ScheduleDefinition = {
    name: current.name,
    pipeline: current.pipeline,
    scope: current.scope,
    scopeKey: current.scopeKey,
    params: current.params,
    priority: current.priority,
    maxAttempts: current.maxAttempts,
    forceRepublish: current.forceRepublish,
    cron: current.cron,
    timeZone: current.timeZone,
    intervalSeconds: current.intervalSeconds,
    startAt: current.startAt,
    endAt: current.endAt,
    jitterSeconds: current.jitterSeconds,
    missedPolicy: current.missedPolicy,
    maxCatchup: current.maxCatchup,
    overlapPolicy: current.overlapPolicy,
    enabled: current.enabled,
    origin: current.origin,
  };
  return pick(stored) === pick(definition);
}
