import { Gauge, type Registry } from 'prom-client';
import type { JobRepository, QueueStat } from '../../core/job-repository.js';
import type { JobState } from '../../core/job.js';

/** The states the gauges report; `succeeded` grows without bound and is counted by ingest_jobs_finished_total. */
export const QUEUE_GAUGE_STATES: readonly JobState[] = ['pending', 'running', 'failed', 'exhausted', 'cancelled'];

export interface QueueGaugesOptions {
  repository: Pick<JobRepository, 'queueStats'>;
  /** Reported as 0 when they have no jobs, so a series never vanishes for being empty. */
  pipelines: readonly string[];
  /** The statement's time limit; the scrape answers without the gauges after it. */
  timeoutMs: number;
  onError: (error: unknown) => void;
}

/**
 * Queue gauges read from the database once per scrape, by one statement with a time limit, never per
 * job. Scrapes that overlap share the statement. When it fails or runs out of time the queue series
 * are left out of that scrape and ingest_queue_stats_up reads 0.
 */
export class QueueGauges {
  private readonly jobs: Gauge<'pipeline' | 'state'>;
  private readonly oldest: Gauge<'pipeline'>;
  private readonly up: Gauge;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly options: QueueGaugesOptions,
    registry: Registry,
  ) {
    const registers = [registry];
    this.jobs = new Gauge({
      name: 'ingest_queue_jobs',
      help: 'Jobs in the database by pipeline and state (every state but succeeded), read at scrape time',
      labelNames: ['pipeline', 'state'],
      registers,
    });
    this.oldest = new Gauge({
      name: 'ingest_queue_oldest_runnable_age_seconds',
      help: 'How long the longest-waiting job runnable now (pending and due) has been due; 0 when none is',
      labelNames: ['pipeline'],
      registers,
    });
    this.up = new Gauge({
      name: 'ingest_queue_stats_up',
      help: '1 when this scrape read the queue gauges from the database, 0 when that failed or ran out of time',
      registers,
    });
  }

  refresh(): Promise<void> {
    this.inFlight ??= this.read().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async read(): Promise<void> {
    let stats: QueueStat[];
    try {
      stats = await withinTime(this.options.repository.queueStats({ timeoutMs: this.options.timeoutMs }), this.options.timeoutMs + 1_000);
    } catch (error) {
      this.jobs.reset();
      this.oldest.reset();
      this.up.set(0);
      this.options.onError(error);
      return;
    }
    this.jobs.reset();
    this.oldest.reset();
    const oldestSeconds = new Map<string, number>();
    for (const pipeline of this.options.pipelines) {
      for (const state of QUEUE_GAUGE_STATES) this.jobs.set({ pipeline, state }, 0);
      oldestSeconds.set(pipeline, 0);
    }
    for (const stat of stats) {
      this.jobs.set({ pipeline: stat.pipeline, state: stat.state }, stat.jobs);
      const seconds = stat.oldestRunnableAgeMs === null ? 0 : stat.oldestRunnableAgeMs / 1000;
      oldestSeconds.set(stat.pipeline, Math.max(seconds, oldestSeconds.get(stat.pipeline) ?? 0));
    }
    for (const [pipeline, seconds] of oldestSeconds) this.oldest.set({ pipeline }, seconds);
    this.up.set(1);
  }
}

/** The client's own bound, for what the server's statement timeout cannot stop (a connection that hangs). */
function withinTime<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`the queue statistics took longer than ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
