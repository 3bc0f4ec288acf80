import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { BenchServer } from './database.js';
import { enqueueInBulk } from './enqueue.js';
import type { DrainResult } from './results.js';
import type { QueueSubject } from './subject.js';
import { machineBusyMs } from './quiet.js';
import { WorkerProcess } from './worker-process.js';

const POLL_MS = 20;

/** Jobs per second, to one decimal below 100/s (a capped drain may finish a job every few seconds). */
const rate = (jobs: number, ms: number) => {
  const perSec = (jobs / ms) * 1000;
  return perSec < 100 ? Math.round(perSec * 10) / 10 : Math.round(perSec);
};
const CHILD_READY_MS = 60_000;
const CHILD_STOP_MS = 60_000;

export interface DrainPlan {
  config: string;
  jobs: number;
  concurrency: number;
  processes: number;
  batch: number;
  /** VACUUM ANALYZE the filled database first, as autovacuum soon would. */
  analyze: boolean;
  /** Stop the clock here even if jobs are left; the rate is then what finished by the cap. */
  capMs: number;
  /** Waits for the machine to be quiet just before the clock starts; returns how busy it was. */
  quiet: () => Promise<number>;
}

/**
 * Fills a fresh database with `jobs` no-op jobs, starts the worker processes (already connected)
 * at once, and times until the database shows no unfinished job; then stops them gracefully and
 * checks that every job is recorded as finished.
 */
export async function measureDrain(server: BenchServer, subject: QueueSubject, plan: DrainPlan): Promise<DrainResult> {
  const label = `${subject.id}_${plan.config}_${plan.processes}x${plan.concurrency}`;
  const database = await server.createDatabase(label);
  const workers: WorkerProcess[] = [];
  const probe = new pg.Client({ connectionString: database.dsn, application_name: 'bench:probe' });
  try {
    const producer = await subject.openProducer(database.dsn, 4);
    // The workers start up (and connect) while the queue fills; none claims before `start`.
    for (let i = 0; i < plan.processes; i++) {
      workers.push(new WorkerProcess({ queue: subject.id, config: plan.config, dsn: database.dsn, concurrency: plan.concurrency, mode: { kind: 'drain' } }));
    }
    try {
      await enqueueInBulk(producer, 0, plan.jobs, plan.batch);
    } finally {
      await producer.close();
    }
    await Promise.all(workers.map((worker) => worker.next('ready', CHILD_READY_MS)));
    await probe.connect();
    if (plan.analyze) await probe.query('VACUUM ANALYZE');
    const cpuBusyBefore = await plan.quiet();

    const started = performance.now();
    const busyAtStart = machineBusyMs();
    for (const worker of workers) worker.tell({ type: 'start' });
    let drained = false;
    for (;;) {
      if (!(await subject.anyUnfinished(probe))) {
        drained = true;
        break;
      }
      if (performance.now() - started >= plan.capMs) break;
      await sleep(POLL_MS);
    }
    const ms = performance.now() - started;
    const machineMs = machineBusyMs() - busyAtStart;
    const atStop = drained ? undefined : await subject.countFinished(probe, plan.jobs);

    const reports = await Promise.all(workers.map((worker) => worker.stop(CHILD_STOP_MS)));
    const check = await subject.countFinished(probe, plan.jobs);
    if (drained && check.finished !== plan.jobs) {
      throw new Error(`${label}: drained, but only ${check.finished} of ${plan.jobs} jobs are recorded as finished (${check.evidence})`);
    }
    const finished = atStop?.finished ?? check.finished;
    return {
      queue: subject.id,
      cpuBusyBefore,
      config: plan.config,
      concurrency: plan.concurrency,
      processes: plan.processes,
      jobs: plan.jobs,
      drained,
      ms: Math.round(ms),
      finished,
      perSec: rate(finished, ms),
      handled: reports.reduce((sum, report) => sum + report.handled, 0),
      peakRssMiB: reports.map((report) => Math.round((report.maxRssKb / 1024) * 10) / 10),
      cpuUsPerJob: {
        machine: Math.round((machineMs * 1000) / Math.max(finished, 1)),
        workers: Math.round((reports.reduce((sum, report) => sum + report.cpuMs, 0) * 1000) / Math.max(finished, 1)),
      },
      evidence: check.evidence,
    };
  } finally {
    await Promise.all(workers.map((worker) => worker.kill()));
    await probe.end().catch(() => undefined);
    await database.drop();
  }
}
