import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Pool } from 'undici';
import { migrateDatabase } from '../../src/platform/storage.js';
import { BenchServer } from '../compare/database.js';
import { describeMachine } from '../compare/machine.js';
import { waitForQuiet } from '../compare/quiet.js';
import { withThrowawayDatabase } from '../support/throwaway-database.js';
import { startApiProcess, type ApiProcess } from './api-process.js';

/**
 * `npm run bench:enqueue [-- --jobs 20000 --concurrency 16 --batches 100,500,1000]`: enqueue rate
 * through the real API process on loopback and PostgreSQL (TEST_DATABASE_URL, or an embedded
 * server started here): N jobs as single `POST /jobs` requests with some requests in flight at
 * once, against the same N jobs in `POST /jobs/batch` requests of each size, one in flight. Every
 * job carries an idempotency key, as a producer that retries would send. Each scenario gets a
 * fresh database and a fresh API process. Prints a Markdown table and writes the raw figures to
 * bench/results/enqueue-batch/.
 */
const arg = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : (process.argv[index + 1] ?? fallback);
};
const total = Number(arg('jobs', '20000'));
const concurrency = Number(arg('concurrency', '16'));
const batchSizes = arg('batches', '100,500,1000').split(',').map(Number);
const TOKEN = 'bench-token-0123456789abcdef';
const WARMUP_JOBS = 200;
const QUIET = { threshold: 0.25, windowMs: 300, maxWaitMs: 15_000 };

const began = performance.now();
const log = (line: string) => process.stderr.write(`[${((performance.now() - began) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);

interface Scenario {
  name: string;
  /** Jobs per request; 1 is `POST /jobs`. */
  batch: number;
  /** Requests in flight at once. */
  inFlight: number;
}

interface Measurement extends Scenario {
  jobs: number;
  requests: number;
  ms: number;
  jobsPerSec: number;
  /** CPU the API process spent per job, in µs. */
  apiCpuUsPerJob: number;
  /** Share of the machine's CPU busy just before the clock started. */
  cpuBusyBefore: number;
}

const job = (tag: string, i: number) => ({ pipeline: 'system.noop', scope: { label: `${tag}-${i}` }, params: {} });
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

async function postSingle(pool: Pool, tag: string, i: number): Promise<void> {
  const response = await pool.request({
    method: 'POST',
    path: '/internal/v1/jobs',
    headers: { ...headers, 'idempotency-key': `${tag}-key-${i}` },
    body: JSON.stringify(job(tag, i)),
  });
  const text = await response.body.text();
  if (response.statusCode !== 201) throw new Error(`POST /jobs answered ${response.statusCode}: ${text.slice(0, 300)}`);
}

async function postBatch(pool: Pool, tag: string, from: number, count: number): Promise<void> {
  const jobs = Array.from({ length: count }, (_, n) => ({ ...job(tag, from + n), idempotency_key: `${tag}-key-${from + n}` }));
  const response = await pool.request({ method: 'POST', path: '/internal/v1/jobs/batch', headers, body: JSON.stringify({ jobs }) });
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`POST /jobs/batch answered ${response.statusCode}: ${text.slice(0, 300)}`);
  const { results } = JSON.parse(text) as { results: { status: number }[] };
  const refused = results.filter((result) => result.status !== 201);
  if (results.length !== count || refused.length > 0) throw new Error(`POST /jobs/batch: ${refused.length} of ${results.length} jobs not created`);
}

/** Sends `total` jobs (numbered from 0) as the scenario says, `inFlight` requests at a time. */
async function send(pool: Pool, scenario: Scenario, tag: string, count: number): Promise<number> {
  const starts = Array.from({ length: Math.ceil(count / scenario.batch) }, (_, n) => n * scenario.batch);
  let next = 0;
  const lane = async () => {
    while (next < starts.length) {
      const from = starts[next++] ?? 0;
      if (scenario.batch === 1) await postSingle(pool, tag, from);
      else await postBatch(pool, tag, from, Math.min(scenario.batch, count - from));
    }
  };
  await Promise.all(Array.from({ length: scenario.inFlight }, lane));
  return starts.length;
}

async function countJobs(dsn: string): Promise<number> {
  const client = new pg.Client({ connectionString: dsn });
  await client.connect();
  try {
    return Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM ingestion_jobs')).rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

async function measure(server: BenchServer, scenario: Scenario): Promise<Measurement> {
  const database = await server.createDatabase(`enqueue_${scenario.name}`);
  let api: ApiProcess | undefined;
  let pool: Pool | undefined;
  try {
    await migrateDatabase({ driver: 'postgres', dsn: database.dsn, runMigrations: true, maxOpenConns: 2, maxIdleConns: 1, connMaxLifetimeSec: 0 });
    api = await startApiProcess({ DATABASE_DRIVER: 'postgres', DATABASE_DSN: database.dsn, INTERNAL_AUTH_TOKEN: TOKEN, LOG_LEVEL: 'info' });
    pool = new Pool(api.url, { connections: scenario.inFlight, pipelining: 1 });
    // Warm-up: connections opened, code paths compiled, statements prepared.
    await send(pool, scenario.batch === 1 ? scenario : { ...scenario, batch: Math.min(scenario.batch, 100) }, 'warm', WARMUP_JOBS);
    const cpuBusyBefore = await waitForQuiet(QUIET);
    const cpuBefore = api.cpuMs();
    const started = performance.now();
    const requests = await send(pool, scenario, 'run', total);
    const ms = performance.now() - started;
    const apiCpuMs = api.cpuMs() - cpuBefore;
    const stored = await countJobs(database.dsn);
    if (stored !== total + WARMUP_JOBS) throw new Error(`${scenario.name}: ${stored} jobs stored, expected ${total + WARMUP_JOBS}`);
    return {
      ...scenario,
      jobs: total,
      requests,
      ms: Math.round(ms),
      jobsPerSec: Math.round((total / ms) * 1000),
      apiCpuUsPerJob: Math.round((apiCpuMs * 1000) / total),
      cpuBusyBefore,
    };
  } finally {
    await pool?.close();
    await api?.stop();
    await database.drop();
  }
}

const scenarios: Scenario[] = [
  { name: `single_c${concurrency}`, batch: 1, inFlight: concurrency },
  ...batchSizes.map((batch) => ({ name: `batch_${batch}`, batch, inFlight: 1 })),
];
const loadAtStart = loadavg()[0] ?? 0;
const embedded = (process.env.TEST_DATABASE_URL ?? '') === '';

const measurements = await withThrowawayDatabase('bench_enqueue', async (adminDsn) => {
  const server = await BenchServer.connect(adminDsn, embedded);
  try {
    const info = await server.info();
    log(`PostgreSQL ${info.version.split(' ').slice(0, 2).join(' ')}${embedded ? ' (embedded)' : ''}, synchronous_commit=${info.synchronousCommit}`);
    const done: Measurement[] = [];
    for (const scenario of scenarios) {
      log(`${scenario.name}: ${total} jobs, ${scenario.batch} per request, ${scenario.inFlight} in flight`);
      const result = await measure(server, scenario);
      log(`  ${result.jobsPerSec.toLocaleString('en-US')} jobs/s (${result.ms} ms, ${result.requests} requests, API CPU ${result.apiCpuUsPerJob} µs/job)`);
      done.push(result);
    }
    return { postgres: info, results: done };
  } finally {
    await server.close();
  }
});

const single = measurements.results[0];
const machine = describeMachine();
const lines = [
  `${total.toLocaleString('en-US')} jobs per scenario (plus ${WARMUP_JOBS} warm-up jobs first); ${machine.cpuModel}, ${machine.cores} cores; Node.js ${machine.node}; ` +
    `${measurements.postgres.version.split(' ').slice(0, 2).join(' ')}${embedded ? ' (embedded)' : ''}; load average ${loadAtStart.toFixed(2)} at the start, ${(loadavg()[0] ?? 0).toFixed(2)} at the end.`,
  '',
  '| how | requests | time | jobs/s | vs single | API CPU per job | machine busy before |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...measurements.results.map((m) => {
    const how = m.batch === 1 ? `\`POST /jobs\`, ${m.inFlight} in flight` : `\`POST /jobs/batch\` of ${m.batch.toLocaleString('en-US')}, 1 in flight`;
    const ratio = single === undefined ? '' : `×${(m.jobsPerSec / single.jobsPerSec).toFixed(1)}`;
    return `| ${how} | ${m.requests.toLocaleString('en-US')} | ${(m.ms / 1000).toFixed(2)} s | ${m.jobsPerSec.toLocaleString('en-US')} | ${ratio} | ${m.apiCpuUsPerJob} µs | ${Math.round(m.cpuBusyBefore * 100)}% |`;
  }),
];
process.stdout.write(`${lines.join('\n')}\n`);

const resultsDir = fileURLToPath(new URL('../results/enqueue-batch/', import.meta.url));
mkdirSync(resultsDir, { recursive: true });
const at = new Date().toISOString();
writeFileSync(
  `${resultsDir}${at.replace(/[:.]/g, '-')}.json`,
  `${JSON.stringify({ at, machine, loadAverage: { atStart: loadAtStart, atEnd: loadavg()[0] ?? 0 }, options: { total, concurrency, batchSizes, warmupJobs: WARMUP_JOBS }, ...measurements }, null, 2)}\n`,
);
