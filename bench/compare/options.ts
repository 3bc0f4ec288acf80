import { QUEUE_IDS, type QueueId } from './subject.js';

export interface BenchOptions {
  quick: boolean;
  queues: QueueId[];
  jobs: number;
  enqueueOneJobs: number;
  bulkBatch: number;
  concurrencies: number[];
  twoProcessConcurrency: number;
  drainCapMs: number;
  latencySamples: number;
  latencyRatePerSec: number;
  latencyConcurrency: number;
  writeDocs: boolean;
  /** VACUUM ANALYZE each filled database before its drain, so the planner knows the table it claims from. */
  analyze: boolean;
}

const ALIASES: Record<string, QueueId> = { ours: 'ours', 'pg-boss': 'pg-boss', pgboss: 'pg-boss', boss: 'pg-boss', graphile: 'graphile-worker', 'graphile-worker': 'graphile-worker', baseline: 'baseline', sql: 'baseline' };

export const USAGE = `npm run bench [-- options]
  --quick              small run (under two minutes): writes bench/results/quick.json only
  --only a,b           queues to run: ours, pg-boss, graphile, baseline (default: all)
  --jobs N             jobs per drain (default 20000; quick 2000)
  --drain-cap-s S      stop timing a drain after S seconds and report the rate so far (default 60; quick 3)
  --latency-samples N  jobs in the latency measurement (default 200; quick 30)
  --no-analyze         drain without VACUUM ANALYZE after the fill (the planner then has no statistics)
  --write-docs         also rewrite docs/performance.md after a quick, partial or --no-analyze run`;

/** Parses `npm run bench` arguments; throws with the usage on anything it does not know. */
export function parseOptions(argv: readonly string[]): BenchOptions {
  const quick = argv.includes('--quick');
  const options: BenchOptions = {
    quick,
    queues: [...QUEUE_IDS],
    jobs: quick ? 2_000 : 20_000,
    enqueueOneJobs: quick ? 300 : 2_000,
    bulkBatch: 1_000,
    concurrencies: quick ? [1, 32] : [1, 8, 32],
    twoProcessConcurrency: 32,
    drainCapMs: (quick ? 3 : 60) * 1000,
    latencySamples: quick ? 30 : 200,
    // Below every configuration's capacity: pg-boss's defaults at c=32 finish 16 jobs/s.
    latencyRatePerSec: 10,
    latencyConcurrency: 32,
    writeDocs: false,
    analyze: true,
  };
  const value = (index: number) => {
    const next = argv[index + 1];
    if (next === undefined) throw new Error(`${argv[index]} needs a value\n${USAGE}`);
    return next;
  };
  const positive = (index: number) => {
    const n = Number(value(index));
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${argv[index]} needs a positive number\n${USAGE}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    switch (argv[i]) {
      case '--quick':
        break;
      case '--write-docs':
        options.writeDocs = true;
        break;
      case '--no-analyze':
        options.analyze = false;
        break;
      case '--only':
        options.queues = value(i)
          .split(',')
          .map((name) => {
            const id = ALIASES[name.trim()];
            if (id === undefined) throw new Error(`unknown queue '${name}'\n${USAGE}`);
            return id;
          });
        options.queues = QUEUE_IDS.filter((id) => options.queues.includes(id));
        i++;
        break;
      case '--jobs':
        options.jobs = Math.round(positive(i++));
        break;
      case '--drain-cap-s':
        options.drainCapMs = positive(i++) * 1000;
        break;
      case '--latency-samples':
        options.latencySamples = Math.round(positive(i++));
        break;
      case '--help':
      case '-h':
        throw new Error(USAGE);
      default:
        throw new Error(`unknown option '${argv[i]}'\n${USAGE}`);
    }
  }
  return options;
}
