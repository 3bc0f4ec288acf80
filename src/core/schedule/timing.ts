import type { CronEngine, CronSequence, ZoneRules } from './cron-engine.js';
import { ScheduleTimingError, type TimingIssue } from './timing-error.js';

export type MissedPolicy = 'skip' | 'latest' | 'all';
export const MISSED_POLICIES: readonly MissedPolicy[] = ['skip', 'latest', 'all'];

/** A schedule's timing as stored and as the API takes it (snake_case there, camelCase here). */
export interface ScheduleTimingSpec {
  /** 5 fields (minute first) or 6 (second first). Exactly one of `cron` and `intervalSeconds`. */
  cron?: string | null;
  /** IANA name; `UTC` when absent. Cron fields are read in it; previews show local times in it. */
  timeZone?: string | null;
  /** Whole seconds, at least 1, counted from `startAt`, else from `createdAt`. */
  intervalSeconds?: number | null;
  /** No occurrence before this instant. */
  startAt?: Date | null;
  /** No occurrence at or after this instant. */
  endAt?: Date | null;
  /** When the schedule was created: the anchor of an interval without `startAt`. */
  createdAt: Date;
  /** Each occurrence fires up to this many seconds late, the same offset on every node; 0 when absent. */
  jitterSeconds?: number | null;
  missedPolicy?: MissedPolicy | null;
  /** Under `all`, at most this many late occurrences fire at once; the older ones are skipped. */
  maxCatchup?: number | null;
}

interface TimingCommon {
  zone: ZoneRules;
  startAt: Date | null;
  endAt: Date | null;
  jitterSeconds: number;
  missedPolicy: MissedPolicy;
  maxCatchup: number;
}

export interface CronTiming extends TimingCommon {
  kind: 'cron';
  cron: string;
  sequence: CronSequence;
}

export interface IntervalTiming extends TimingCommon {
  kind: 'interval';
  intervalSeconds: number;
  /** The first occurrence: `startAt`, else creation, moved up to a whole second. */
  anchor: Date;
}

/** A checked timing, ready for the occurrence functions. */
export type ScheduleTiming = CronTiming | IntervalTiming;

export const DEFAULT_TIME_ZONE = 'UTC';
export const DEFAULT_MAX_CATCHUP = 10;
/** A day: enough to spread a daily run; more is almost certainly a unit mistake. */
export const MAX_JITTER_SECONDS = 86_400;
export const MAX_CATCHUP_LIMIT = 1_000;

/** Checks a timing and reads its expression and zone; throws ScheduleTimingError listing every problem. */
export function compileTiming(engine: CronEngine, spec: ScheduleTimingSpec): ScheduleTiming {
  const issues: TimingIssue[] = [];
  const invalid = (field: TimingIssue['field'], message: string): void => {
    issues.push({ field, code: 'INVALID_TIMING', message });
  };

  const zone = readZone(engine, spec.timeZone ?? DEFAULT_TIME_ZONE, issues);
  const hasCron = spec.cron !== undefined && spec.cron !== null;
  const hasInterval = spec.intervalSeconds !== undefined && spec.intervalSeconds !== null;
  if (hasCron === hasInterval) {
    invalid(hasCron ? 'interval_seconds' : 'cron', 'give exactly one of cron and interval_seconds');
  }
  if (hasInterval && !isWholeAtLeast(spec.intervalSeconds, 1)) {
    invalid('interval_seconds', 'must be a whole number of seconds, at least 1');
  }
  const jitterSeconds = spec.jitterSeconds ?? 0;
  if (!isWholeAtLeast(jitterSeconds, 0) || jitterSeconds > MAX_JITTER_SECONDS) {
    invalid('jitter_seconds', `must be a whole number of seconds from 0 to ${MAX_JITTER_SECONDS}`);
  }
  const missedPolicy = spec.missedPolicy ?? 'skip';
  if (!MISSED_POLICIES.includes(missedPolicy)) invalid('missed_policy', `must be one of ${MISSED_POLICIES.join(', ')}`);
  const maxCatchup = spec.maxCatchup ?? DEFAULT_MAX_CATCHUP;
  if (!isWholeAtLeast(maxCatchup, 1) || maxCatchup > MAX_CATCHUP_LIMIT) {
    invalid('max_catchup', `must be a whole number from 1 to ${MAX_CATCHUP_LIMIT}`);
  }
  const startAt = spec.startAt ?? null;
  const endAt = spec.endAt ?? null;
  if (startAt !== null && !isValidDate(startAt)) invalid('start_at', 'must be a valid instant');
  if (endAt !== null && !isValidDate(endAt)) invalid('end_at', 'must be a valid instant');
  if (startAt !== null && endAt !== null && isValidDate(startAt) && isValidDate(endAt) && endAt <= startAt) {
    invalid('end_at', 'must be after start_at');
  }

  let sequence: CronSequence | undefined;
  if (hasCron && zone !== undefined) {
    sequence = readCron(engine, spec.cron ?? '', zone, issues);
    if (sequence !== undefined && sequence.nextAfter(spec.createdAt) === null) {
      issues.push({ field: 'cron', code: 'CRON_NEVER_OCCURS', message: `"${spec.cron ?? ''}" names no date that exists (such as 30 February)` });
    }
  }
  if (issues.length > 0 || zone === undefined) throw new ScheduleTimingError(issues);

  const common: TimingCommon = { zone, startAt, endAt, jitterSeconds, missedPolicy, maxCatchup };
  if (sequence !== undefined) return { ...common, kind: 'cron', cron: spec.cron ?? '', sequence };
  const anchorMs = Math.ceil((startAt ?? spec.createdAt).getTime() / 1000) * 1000;
  return { ...common, kind: 'interval', intervalSeconds: spec.intervalSeconds ?? 1, anchor: new Date(anchorMs) };
}

function readZone(engine: CronEngine, name: string, issues: TimingIssue[]): ZoneRules | undefined {
  try {
    return engine.zone(name);
  } catch (error) {
    if (error instanceof ScheduleTimingError) {
      issues.push(...error.issues);
      return undefined;
    }
    throw error;
  }
}

function readCron(engine: CronEngine, expression: string, zone: ZoneRules, issues: TimingIssue[]): CronSequence | undefined {
  try {
    return engine.parse(expression, zone);
  } catch (error) {
    if (error instanceof ScheduleTimingError) {
      issues.push(...error.issues);
      return undefined;
    }
    throw error;
  }
}

function isWholeAtLeast(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min;
}

function isValidDate(value: Date): boolean {
  return !Number.isNaN(value.getTime());
}
