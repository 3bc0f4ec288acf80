import type { CronEngine } from '../../core/schedule/cron-engine.js';
import type { DueSchedule, FireDecision, ScheduleRepository } from '../../core/schedule-repository.js';
import type { JobLogger } from '../job-handler.js';
import { decideFiring } from './decide-firing.js';

export interface SchedulerOptions {
  schedules: ScheduleRepository;
  engine: CronEngine;
  /** For jobs of schedules that set no max_attempts. */
  defaultMaxAttempts: number;
  /** How often it looks for due schedules. */
  pollIntervalMs: number;
  /** Schedules locked and fired per transaction. */
  batchSize?: number;
  logger: JobLogger;
}

const DEFAULT_BATCH_SIZE = 100;

/**
 * Fires due schedules from inside a worker process; run any number of them, on any number of
 * machines. There is no leader and nothing kept in memory: each pass locks the due rows no other
 * pass holds, decides at the database's now, and writes runs, jobs and next runs in one transaction
 * (ScheduleRepository.fireDueSchedules). A schedule whose stored timing cannot be read is set aside
 * with one warning; the others keep firing.
 */
export class Scheduler {
  private readonly controller = new AbortController();
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly warned = new Set<string>();
  private readonly batchSize: number;

  constructor(private readonly options: SchedulerOptions) {
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  }

  start(): void {
    if (this.loop !== undefined) throw new Error('a scheduler starts once');
    this.loop = this.run();
    this.options.logger.info({ poll_interval_ms: this.options.pollIntervalMs }, 'scheduler started');
  }

  async stop(): Promise<void> {
    this.controller.abort();
    this.wake?.();
    await this.loop;
  }

  /** Fires everything due now, pass after pass until a pass finds less than a full batch. */
  async fireDue(): Promise<{ schedules: number; jobs: number }> {
    let schedules = 0;
    let jobs = 0;
    for (;;) {
      const fired = await this.options.schedules.fireDueSchedules({
        limit: this.batchSize,
        defaultMaxAttempts: this.options.defaultMaxAttempts,
        decide: (due, now) => this.decide(due, now),
      });
      schedules += fired.length;
      jobs += fired.reduce((sum, f) => sum + f.jobIds.length, 0);
      for (const f of fired) {
        if (f.jobIds.length > 0 || f.skipped > 0) {
          this.options.logger.debug({ schedule_id: f.scheduleId, job_ids: f.jobIds, skipped: f.skipped }, 'schedule fired');
        }
      }
      if (fired.length < this.batchSize || this.controller.signal.aborted) return { schedules, jobs };
    }
  }

  private decide(due: DueSchedule, now: Date): FireDecision {
    try {
      return decideFiring(this.options.engine, due, now);
    } catch (error) {
      const { schedule } = due;
      if (!this.warned.has(schedule.id)) {
        this.warned.add(schedule.id);
        this.options.logger.warn(
          { err: error, schedule_id: schedule.id, schedule: schedule.name },
          'schedule set aside: its stored timing cannot be read; update it to fire again',
        );
      }
      // No fire time and no held occurrence (which would have every pass select it again): no pass
      // selects it until an update places it anew, and the timing change that revives it drops a held one anyway.
      return { fire: [], skipped: [], next: { nextRunAt: schedule.nextRunAt, fireAt: null }, bufferedAt: null, endPause: false };
    }
  }

  private async run(): Promise<void> {
    const { signal } = this.controller;
    while (!signal.aborted) {
      try {
        await this.fireDue();
      } catch (error) {
        this.options.logger.error({ err: error }, 'firing schedules failed; trying again after the poll interval');
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollIntervalMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}
