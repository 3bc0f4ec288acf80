import type pg from 'pg';

/** The queues the comparison knows, in report order. */
export const QUEUE_IDS = ['ours', 'pg-boss', 'graphile-worker', 'baseline'] as const;
export type QueueId = (typeof QUEUE_IDS)[number];

/** One way of running a queue's workers, e.g. its defaults or its documented throughput settings. */
export interface QueueConfig {
  /** Short key, unique within the queue: `defaults`, `tuned`, `one-row`, `batch-500`. */
  id: string;
  /** What is set, in words, for the report. */
  description: string;
}

/** What the orchestrator and the child processes need from a queue under test. */
export interface QueueSubject {
  readonly id: QueueId;
  readonly name: string;
  readonly configs: readonly QueueConfig[];
  /**
   * Installs the queue's schema in `dsn`'s database (idempotent) and returns a producer on it.
   * `poolSize` bounds the producer's connections.
   */
  openProducer(dsn: string, poolSize: number): Promise<QueueProducer>;
  /**
   * Connects a worker with `concurrency` slots under `config`, ready to start; `onJobStart` is
   * called with the job's sequence number as its handler begins. Runs in a child process.
   */
  prepareWorker(options: WorkerSetup): Promise<QueueWorker>;
  /** True while any job is neither finished nor failed. Must be cheap: it is polled every ~20 ms. */
  anyUnfinished(db: pg.ClientBase): Promise<boolean>;
  /** How many jobs the database records as finished, out of `enqueued`; and how that was checked. */
  countFinished(db: pg.ClientBase, enqueued: number): Promise<FinishedCount>;
}

export interface WorkerSetup {
  dsn: string;
  config: string;
  concurrency: number;
  onJobStart: (seq: number) => void;
}

export interface FinishedCount {
  finished: number;
  /** How completion is recorded by this queue, for the report. */
  evidence: string;
}

export interface QueueProducer {
  /** One job, one call: the caller awaits each before the next. */
  enqueueOne(seq: number): Promise<void>;
  /** Jobs `from` .. `from + count - 1` in one call of the queue's bulk API. */
  enqueueBulk(from: number, count: number): Promise<void>;
  close(): Promise<void>;
}

export interface QueueWorker {
  /** Begins claiming and running jobs. */
  start(): Promise<void>;
  /** Stops claiming, lets running jobs finish and closes every connection. */
  stop(): Promise<void>;
}

export function configOf(subject: QueueSubject, configId: string): QueueConfig {
  const config = subject.configs.find((c) => c.id === configId);
  if (config === undefined) throw new Error(`${subject.id} has no configuration '${configId}'`);
  return config;
}

/** Each queue's module is loaded only where it is used, so a worker process holds only its own queue. */
export async function loadSubject(id: QueueId): Promise<QueueSubject> {
  switch (id) {
    case 'ours':
      return (await import('./queues/ours.js')).ours;
    case 'pg-boss':
      return (await import('./queues/pg-boss.js')).pgBoss;
    case 'graphile-worker':
      return (await import('./queues/graphile-worker.js')).graphileWorker;
    case 'baseline':
      return (await import('./queues/baseline.js')).baseline;
  }
}

/** The sequence number carried in each job's payload, so a handler can say which job started. */
export function seqOf(value: unknown): number {
  if (typeof value === 'object' && value !== null && 'seq' in value && typeof value.seq === 'number') return value.seq;
  throw new Error(`job payload without a numeric seq: ${JSON.stringify(value)}`);
}
