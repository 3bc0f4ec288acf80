import type { BenchServer } from './database.js';
import type { LatencyResult } from './results.js';
import type { QueueSubject } from './subject.js';
import { WorkerProcess } from './worker-process.js';

export interface LatencyPlan {
  config: string;
  concurrency: number;
  samples: number;
  ratePerSec: number;
  idleMs: number;
  settleTimeoutMs: number;
  /** Waits for the machine to be quiet just before the worker starts; returns how busy it was. */
  quiet: () => Promise<number>;
}

/** The q-quantile (0..1) of `values` by the nearest-rank method. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/**
 * Enqueue-to-start latency at a low, steady rate with idle workers: one child process runs an idle
 * worker and, after `idleMs`, the producer; both timestamps come from that process's clock.
 */
export async function measureLatency(server: BenchServer, subject: QueueSubject, plan: LatencyPlan): Promise<LatencyResult> {
  const database = await server.createDatabase(`${subject.id}_${plan.config}_latency`);
  let worker: WorkerProcess | undefined;
  try {
    // Installs the schema, so the child's producer and worker find it.
    await (await subject.openProducer(database.dsn, 1)).close();
    worker = new WorkerProcess({
      queue: subject.id,
      config: plan.config,
      dsn: database.dsn,
      concurrency: plan.concurrency,
      mode: { kind: 'latency', samples: plan.samples, ratePerSec: plan.ratePerSec, idleMs: plan.idleMs, settleTimeoutMs: plan.settleTimeoutMs },
    });
    await worker.next('ready', 60_000);
    const cpuBusyBefore = await plan.quiet();
    worker.tell({ type: 'start' });
    const expectedMs = plan.idleMs + (plan.samples / plan.ratePerSec) * 1000 + plan.settleTimeoutMs;
    const measured = await worker.next('measured', expectedMs + 60_000);
    await worker.stop(60_000);
    const latencies = measured.latenciesMs;
    return {
      queue: subject.id,
      cpuBusyBefore,
      config: plan.config,
      concurrency: plan.concurrency,
      samples: plan.samples,
      ratePerSec: plan.ratePerSec,
      missing: measured.missing,
      p50Ms: round1(quantile(latencies, 0.5)),
      p95Ms: round1(quantile(latencies, 0.95)),
      p99Ms: round1(quantile(latencies, 0.99)),
      maxMs: round1(Math.max(...latencies)),
    };
  } finally {
    await worker?.kill();
    await database.drop();
  }
}
