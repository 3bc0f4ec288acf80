import type { ServerInfo } from './database.js';
import type { MachineInfo } from './machine.js';
import type { Revision } from './revision.js';
import type { QueueId } from './subject.js';

/** Everything one run measured, as written to bench/results/*.json and rendered in the report. */
export interface RunResults {
  mode: 'full' | 'quick';
  startedAt: string;
  durationMs: number;
  revision: Revision;
  machine: MachineInfo;
  postgres: ServerInfo;
  settings: RunSettings;
  /** 1-minute load average when the run started and when it ended: other work on the machine shows here. */
  load: { atStart: number; atEnd: number };
  /** Peak RSS of a worker process that loaded no queue (Node.js and the TypeScript loader). */
  idleProcessRssMiB: number;
  configs: { queue: QueueId; name: string; config: string; description: string }[];
  enqueue: EnqueueResult[];
  drain: DrainResult[];
  latency: LatencyResult[];
}

export interface RunSettings {
  jobs: number;
  enqueueOneJobs: number;
  bulkBatch: number;
  concurrencies: number[];
  twoProcessConcurrency: number;
  drainCapMs: number;
  /** Whether each filled database was VACUUM ANALYZEd before its drain (absent in older files: it was). */
  analyzeBeforeDrain?: boolean;
  latencySamples: number;
  latencyRatePerSec: number;
  latencyConcurrency: number;
  /** Before each clock starts: wait up to maxWaitMs for less than `threshold` of the CPU busy over windowMs. */
  quiet: { threshold: number; windowMs: number; maxWaitMs: number };
}

export interface EnqueueResult {
  queue: QueueId;
  /** Share of the machine's CPU busy just before the measurement started (see quiet.ts). */
  cpuBusyBefore: number;
  oneAtATime: { jobs: number; ms: number; perSec: number };
  bulk: { jobs: number; batch: number; ms: number; perSec: number };
}

export interface DrainResult {
  queue: QueueId;
  /** Share of the machine's CPU busy just before the measurement started (see quiet.ts). */
  cpuBusyBefore: number;
  config: string;
  concurrency: number;
  processes: number;
  jobs: number;
  /** false when the cap ran out first; then `finished` jobs were done in `ms`. */
  drained: boolean;
  ms: number;
  finished: number;
  perSec: number;
  /** Jobs the handlers saw, summed over processes; above `jobs` means some ran twice. */
  handled: number;
  peakRssMiB: number[];
  /**
   * CPU time per finished job while the clock ran: the whole machine's (the database server, the
   * worker processes, the bench's own probe) and the worker processes' alone, from start to stop.
   * Absent in results recorded before it was measured.
   */
  cpuUsPerJob?: { machine: number; workers: number };
  evidence: string;
}

export interface LatencyResult {
  queue: QueueId;
  /** Share of the machine's CPU busy just before the measurement started (see quiet.ts). */
  cpuBusyBefore: number;
  config: string;
  concurrency: number;
  samples: number;
  ratePerSec: number;
  missing: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export const drainKey = (r: { concurrency: number; processes: number }) => (r.processes === 1 ? `c${r.concurrency}` : `${r.processes}x${r.concurrency}`);
