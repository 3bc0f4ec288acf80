import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { withThrowawayDatabase } from '../support/throwaway-database.js';
import { BenchServer } from './database.js';
import { measureDrain } from './drain.js';
import { measureEnqueue } from './enqueue.js';
import { measureLatency } from './latency.js';
import { describeMachine } from './machine.js';
import { parseOptions, USAGE, type BenchOptions } from './options.js';
import { writeReport } from './report.js';
import { drainKey, type RunResults } from './results.js';
import { describeRevision } from './revision.js';
import { waitForQuiet } from './quiet.js';
import { loadSubject, QUEUE_IDS } from './subject.js';
import { idleProcessRssMiB } from './worker-process.js';

/**
 * `npm run bench [-- --quick] [-- --only ours,graphile]`: our queue, pg-boss, graphile-worker and a
 * raw-SQL baseline on one PostgreSQL (TEST_DATABASE_URL, or an embedded server started here):
 * enqueue rates, drain times at several concurrencies with workers in child processes, their peak
 * RSS, and enqueue-to-start latency. Writes bench/results/*.json and docs/performance.md.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const resultsDir = `${root}bench/results`;

let options: BenchOptions;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${message}\n`);
  process.exit(message === USAGE ? 0 : 2);
}

const began = performance.now();
const log = (line: string) => process.stderr.write(`[${((performance.now() - began) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
const embedded = (process.env.TEST_DATABASE_URL ?? '') === '';
const loadAtStart = loadavg()[0] ?? 0;
const QUIET = { threshold: 0.25, windowMs: 300, maxWaitMs: 20_000 };
const quiet = () => waitForQuiet(QUIET);

const results = await withThrowawayDatabase('bench_compare', async (adminDsn): Promise<RunResults> => {
  const server = await BenchServer.connect(adminDsn, embedded);
  try {
    const postgres = await server.info();
    log(`PostgreSQL ${postgres.version.split(' ').slice(0, 2).join(' ')}${embedded ? ' (embedded)' : ''}, synchronous_commit=${postgres.synchronousCommit}`);
    if (postgres.synchronousCommit !== 'on') throw new Error('synchronous_commit must be on');
    const subjects = await Promise.all(options.queues.map((id) => loadSubject(id)));
    const run: RunResults = {
      mode: options.quick ? 'quick' : 'full',
      startedAt: new Date().toISOString(),
      durationMs: 0,
      revision: describeRevision(root),
      machine: describeMachine(),
      postgres,
      settings: {
        jobs: options.jobs,
        enqueueOneJobs: options.enqueueOneJobs,
        bulkBatch: options.bulkBatch,
        concurrencies: options.concurrencies,
        twoProcessConcurrency: options.twoProcessConcurrency,
        drainCapMs: options.drainCapMs,
        analyzeBeforeDrain: options.analyze,
        latencySamples: options.latencySamples,
        latencyRatePerSec: options.latencyRatePerSec,
        latencyConcurrency: options.latencyConcurrency,
        quiet: QUIET,
      },
      load: { atStart: Math.round(loadAtStart * 100) / 100, atEnd: 0 },
      idleProcessRssMiB: await idleProcessRssMiB(),
      configs: subjects.flatMap((s) => s.configs.map((c) => ({ queue: s.id, name: s.name, config: c.id, description: c.description }))),
      enqueue: [],
      drain: [],
      latency: [],
    };
    for (const subject of subjects) {
      const enqueue = await measureEnqueue(server, subject, { oneJobs: options.enqueueOneJobs, bulkJobs: options.jobs, batch: options.bulkBatch, quiet });
      run.enqueue.push(enqueue);
      log(`${subject.id} enqueue: one at a time ${enqueue.oneAtATime.perSec}/s, bulk ${enqueue.bulk.perSec}/s`);
      for (const { id: config } of subject.configs) {
        const shapes = [...options.concurrencies.map((c) => ({ concurrency: c, processes: 1 })), { concurrency: options.twoProcessConcurrency, processes: 2 }];
        for (const shape of shapes) {
          const drain = await measureDrain(server, subject, { config, jobs: options.jobs, batch: options.bulkBatch, capMs: options.drainCapMs, analyze: options.analyze, quiet, ...shape });
          run.drain.push(drain);
          log(
            `${subject.id}/${config} drain ${drainKey(drain)}: ${drain.perSec}/s, ${drain.finished}/${drain.jobs} in ${drain.ms} ms${drain.drained ? '' : ' (cap)'}, rss ${drain.peakRssMiB.join('+')} MiB, cpu/job ${drain.cpuUsPerJob?.machine ?? '?'} µs (workers ${drain.cpuUsPerJob?.workers ?? '?'}), cpu busy before ${Math.round(drain.cpuBusyBefore * 100)}%`,
          );
        }
        const latency = await measureLatency(server, subject, {
          config,
          concurrency: options.latencyConcurrency,
          samples: options.latencySamples,
          ratePerSec: options.latencyRatePerSec,
          idleMs: 1_000,
          settleTimeoutMs: 5_000,
          quiet,
        });
        run.latency.push(latency);
        log(`${subject.id}/${config} latency: p50 ${latency.p50Ms} ms, p95 ${latency.p95Ms} ms, p99 ${latency.p99Ms} ms, lost ${latency.missing}`);
      }
    }
    run.durationMs = Math.round(performance.now() - began);
    run.load.atEnd = Math.round((loadavg()[0] ?? 0) * 100) / 100;
    return run;
  } finally {
    await server.close();
  }
});

mkdirSync(resultsDir, { recursive: true });
const json = `${JSON.stringify(results, null, 2)}\n`;
const complete = !options.quick && options.analyze && options.queues.length === QUEUE_IDS.length;
if (options.quick) {
  writeFileSync(`${resultsDir}/quick.json`, json);
} else {
  writeFileSync(`${resultsDir}/${results.startedAt.replace(/[:.]/g, '-')}.json`, json);
  if (complete) writeFileSync(`${resultsDir}/latest.json`, json);
}
if (complete || options.writeDocs) writeReport(`${root}docs/performance.md`, results);
log(`done in ${((performance.now() - began) / 1000).toFixed(1)} s${complete || options.writeDocs ? '; docs/performance.md updated' : ''}`);
