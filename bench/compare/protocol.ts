import type { QueueId } from './subject.js';

/** What a worker process is asked to do; passed as JSON in its only argument. */
export interface ChildSpec {
  /** null: load no queue at all, to measure what every worker process costs before its queue. */
  queue: QueueId | null;
  config: string;
  dsn: string;
  concurrency: number;
  mode: DrainMode | LatencyMode;
}

/** Run jobs already in the database until told to stop; the parent watches the database. */
export interface DrainMode {
  kind: 'drain';
}

/**
 * Start the worker, leave it idle for `idleMs`, then enqueue `samples` jobs from this same process
 * at `ratePerSec`, and time each from the enqueue call to its handler's start.
 */
export interface LatencyMode {
  kind: 'latency';
  samples: number;
  ratePerSec: number;
  idleMs: number;
  /** How long to wait after the last enqueue for the last handler to start. */
  settleTimeoutMs: number;
}

export type ParentMessage = { type: 'start' } | { type: 'stop' };

export type ChildMessage =
  | { type: 'ready' }
  | { type: 'measured'; latenciesMs: number[]; missing: number }
  /** `cpuMs`: user + system CPU from `start` until told to stop (0 if never started). */
  | { type: 'stopped'; handled: number; maxRssKb: number; cpuMs: number }
  | { type: 'failed'; error: string };
