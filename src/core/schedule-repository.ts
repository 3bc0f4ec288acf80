import type { JobState, JsonObject } from './job.js';

/** What a schedule's owner sets: the job it makes, and when (checked by src/core/schedule before it is stored). */
export interface ScheduleDefinition {
  /** Unique among schedules not deleted. */
  name: string;
  pipeline: string;
  scope: JsonObject;
  scopeKey: string;
  params: JsonObject;
  priority: number;
  /** null: the service's default when each job is made. */
  maxAttempts: number | null;
  forceRepublish: boolean;
  cron: string | null;
  timeZone: string;
  intervalSeconds: number | null;
  startAt: Date | null;
  endAt: Date | null;
  jitterSeconds: number;
  missedPolicy: 'skip' | 'latest' | 'all';
  maxCatchup: number;
  overlapPolicy: 'allow' | 'skip' | 'buffer_one';
  enabled: boolean;
  /** `file`: declared in SCHEDULES_FILE; `api`: made through the API. */
  origin: 'api' | 'file';
}

export interface Schedule extends ScheduleDefinition {
  id: string;
  pausedAt: Date | null;
  pausedReason: string | null;
  /** A pause ends by itself at this instant; null: until resumed. */
  pausedUntil: Date | null;
  /** The first occurrence not yet decided on; null when the schedule has no more (past end_at). */
  nextRunAt: Date | null;
  /** When that occurrence fires: next_run_at plus its jitter. */
  fireAt: Date | null;
  /** Under `buffer_one`: the occurrence held until the previous job ends. */
  bufferedAt: Date | null;
  lastOccurrenceAt: Date | null;
  lastJobId: string | null;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

/** Where a schedule stands in time after a write: computed from the database's clock. */
export interface NextRun {
  nextRunAt: Date | null;
  fireAt: Date | null;
}

export type ScheduleRunKind = 'fired' | 'triggered' | 'skipped_missed' | 'skipped_overlap';

/** One decided occurrence (or, for a skipped range, a run of them). */
export interface ScheduleRun {
  id: string;
  scheduleId: string;
  occurrenceAt: Date;
  kind: ScheduleRunKind;
  /** Occurrence plus jitter; null for a run triggered by hand. */
  dueAt: Date | null;
  decidedAt: Date;
  jobId: string | null;
  /** For a skipped range: its last occurrence (occurrenceAt is its first). */
  lastOccurrenceAt: Date | null;
  skippedCount: number;
  /** False when the count is a lower bound (a dense schedule after a long outage). */
  skippedCountExact: boolean;
  reason: string | null;
}

/** A schedule a firing pass holds, with the state of the job its previous fired occurrence made. */
export interface DueSchedule {
  schedule: Schedule;
  /** null when it has fired nothing yet (or that job is gone). */
  previousJobState: JobState | null;
}

export interface SkippedOccurrences {
  kind: 'skipped_missed' | 'skipped_overlap';
  first: Date;
  last: Date;
  count: number;
  countExact: boolean;
  reason: string;
}

/** What a firing pass does with one due schedule; computed by the caller, applied atomically. */
export interface FireDecision {
  /** One job each, oldest first. */
  fire: { occurrence: Date; dueAt: Date }[];
  skipped: SkippedOccurrences[];
  next: NextRun;
  /** The occurrence held after this pass (buffer_one), or null. */
  bufferedAt: Date | null;
  /** The pause's end has passed: clear it. */
  endPause: boolean;
}

/** What one pass did with one schedule. */
export interface FiredSchedule {
  scheduleId: string;
  /** Jobs created, one per occurrence newly fired; an occurrence already decided makes none. */
  jobIds: string[];
  skipped: number;
}

export interface FireDueRequest {
  /** At most this many schedules in one pass. */
  limit: number;
  /** For jobs of schedules without max_attempts. */
  defaultMaxAttempts: number;
  /** Pure: what to do with a due schedule at the database's `now`. */
  decide: (due: DueSchedule, now: Date) => FireDecision;
}

export type ScheduleWrite =
  | { ok: true; schedule: Schedule }
  | { ok: false; reason: 'name_taken'; existing: Schedule }
  | { ok: false; reason: 'not_found' };

export interface SchedulePage {
  schedules: Schedule[];
  nextCursor: string | null;
}

export interface ScheduleRunPage {
  runs: ScheduleRun[];
  nextCursor: string | null;
}

/**
 * The schedules table and its runs. Every time is the database's: callbacks get its `now` inside the
 * transaction that writes what they return, so no worker's clock ever decides an occurrence.
 */
export interface ScheduleRepository {
  createSchedule(definition: ScheduleDefinition, plan: (now: Date) => NextRun): Promise<ScheduleWrite>;
  /**
   * `change` gets the current schedule and now; undefined leaves it as it is. A held (buffered)
   * occurrence is dropped unless `keepHeld` says the timing it came from is unchanged.
   */
  updateSchedule(
    id: string,
    change: (current: Schedule, now: Date) => { definition: ScheduleDefinition; next: NextRun; keepHeld?: boolean } | undefined,
  ): Promise<ScheduleWrite>;
  /** Marks it deleted (its runs stay); its name is free again. */
  deleteSchedule(id: string): Promise<ScheduleWrite>;
  pauseSchedule(id: string, reason: string, until: Date | null): Promise<ScheduleWrite>;
  /** Clears the pause; `plan` places the next run from now, so the paused span is not missed. */
  resumeSchedule(id: string, plan: (current: Schedule, now: Date) => NextRun): Promise<ScheduleWrite>;
  getSchedule(id: string): Promise<Schedule | null>;
  getScheduleByName(name: string): Promise<Schedule | null>;
  listSchedules(request: { limit: number; cursor?: string }): Promise<SchedulePage>;
  /** One run now, outside the timing: a `triggered` run and its job. */
  triggerSchedule(id: string, defaultMaxAttempts: number): Promise<{ ok: true; run: ScheduleRun } | { ok: false; reason: 'not_found' }>;
  listScheduleRuns(scheduleId: string, request: { limit: number; cursor?: string }): Promise<ScheduleRunPage>;
  /**
   * One pass: locks up to `limit` due schedules (fire time come, or an occurrence buffered) that no
   * other pass holds, and for each writes the runs and jobs `decide` asks for and its next run, in
   * one transaction. Returns what it did per schedule.
   */
  fireDueSchedules(request: FireDueRequest): Promise<FiredSchedule[]>;
}
