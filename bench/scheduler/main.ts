import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createCronerEngine } from '../../src/adapters/schedule/croner-engine.js';
import { nextRunFrom, timingOf } from '../../src/application/scheduler/schedule-timing.js';
import type { ScheduleDefinition } from '../../src/core/schedule-repository.js';
import { migrateDatabase, openStorage } from '../../src/platform/storage.js';
import { describeMachine } from '../compare/machine.js';
import { withThrowawayDatabase } from '../support/throwaway-database.js';

/**
 * `npm run bench:scheduler [-- --schedules 10000 --workers 3 --seconds 180 --poll 0.5]`: N schedules,
 * each every minute, their first occurrences spread evenly over one minute, fired by W worker
 * processes on PostgreSQL (TEST_DATABASE_URL, or an embedded server started here) for S seconds.
 * Reports the fire lag (decided_at - due_at, both on the database's clock) p50/p99/max, fires per
 * second, and the time a firing pass spends in the database per fire. Writes bench/results/scheduler/.
 */
const arg = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : (process.argv[index + 1] ?? fallback);
};
const scheduleCount = Number(arg('schedules', '10000'));
const workerCount = Number(arg('workers', '3'));
const seconds = Number(arg('seconds', '180'));
const pollSec = Number(arg('poll', '0.5'));
const began = performance.now();
const log = (line: string) => process.stderr.write(`[${((performance.now() - began) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
const FIRER = fileURLToPath(new URL('./firer.ts', import.meta.url));

interface FirerReport {
  passes: number;
  busyPasses: number;
  passMs: number;
  fires: number;
}

function startFirer(dsn: string): { child: ChildProcess; ready: Promise<void>; report: Promise<FirerReport> } {
  const child = spawn(process.execPath, ['--import', 'tsx', FIRER, dsn, String(pollSec * 1000)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (out.includes('ready\n')) markReady();
  });
  const report = new Promise<FirerReport>((resolve, reject) => {
    child.on('close', () => {
      const last = out.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(last) as FirerReport);
      } catch {
        reject(new Error(`a firer printed no report: ${out}`));
      }
    });
  });
  return { child, ready, report };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

const result = await withThrowawayDatabase('bench_scheduler', async (dsn) => {
  const database = { driver: 'postgres' as const, dsn, runMigrations: true, maxOpenConns: 8, maxIdleConns: 2, connMaxLifetimeSec: 0 };
  await migrateDatabase(database);
  const storage = openStorage(database);
  const engine = createCronerEngine();
  // Every minute, first occurrences spread over a minute that starts once all are created.
  const createSeconds = Math.ceil(scheduleCount / 400) + 5;
  const first = Math.ceil(Date.now() / 1000) * 1000 + createSeconds * 1000;
  log(`creating ${scheduleCount} schedules`);
  for (let i = 0; i < scheduleCount; i++) {
    const startAt = new Date(first + Math.floor((i * 60_000) / scheduleCount / 1000) * 1000);
    const definition: ScheduleDefinition = {
      name: `bench-${i}`,
      pipeline: 'system.noop',
      scope: { label: `bench-${i}` },
      scopeKey: `{"label":"bench-${i}"}`,
      params: {},
      priority: 0,
      maxAttempts: null,
      forceRepublish: false,
      cron: null,
      timeZone: 'UTC',
      intervalSeconds: 60,
      startAt,
      endAt: null,
      jitterSeconds: 0,
      missedPolicy: 'all',
      maxCatchup: 10,
      overlapPolicy: 'allow',
      enabled: true,
      origin: 'api',
    };
    const written = await storage.schedules.createSchedule(definition, (now) => nextRunFrom(timingOf(engine, definition, now), definition, now));
    if (!written.ok) throw new Error(`creating schedule ${i} failed`);
  }
  log(`starting ${workerCount} firing processes; first occurrences in ${((first - Date.now()) / 1000).toFixed(0)} s`);
  const firers = Array.from({ length: workerCount }, () => startFirer(dsn));
  await Promise.all(firers.map((f) => f.ready));
  const windowStart = new Date(first);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, first - Date.now()) + seconds * 1000));
  for (const firer of firers) firer.child.kill('SIGTERM');
  const reports = await Promise.all(firers.map((f) => f.report));

  const client = new pg.Client({ connectionString: dsn });
  await client.connect();
  const lags = await client.query<{ lag_ms: string }>(
    `SELECT floor(extract(epoch from (decided_at - due_at)) * 1000)::bigint AS lag_ms FROM schedule_runs
     WHERE kind = 'fired' AND due_at >= $1 ORDER BY 1`,
    [windowStart],
  );
  const duplicates = await client.query<{ n: string }>(
    `SELECT count(*) AS n FROM (SELECT correlation_id FROM ingestion_jobs WHERE schedule_id IS NOT NULL GROUP BY correlation_id HAVING count(*) > 1) d`,
  );
  const missing = await client.query<{ n: string }>(
    `SELECT count(*) AS n FROM schedules WHERE fire_at < now() - interval '5 seconds'`,
  );
  await client.end();
  await storage.jobs.close();
  const sorted = lags.rows.map((r) => Number(r.lag_ms));
  const fires = reports.reduce((sum, r) => sum + r.fires, 0);
  const busyPassMs = reports.reduce((sum, r) => sum + r.passMs, 0);
  return {
    schedules: scheduleCount,
    workers: workerCount,
    seconds,
    pollSec,
    fires,
    firesPerSec: fires / seconds,
    lagP50Ms: percentile(sorted, 50),
    lagP99Ms: percentile(sorted, 99),
    lagMaxMs: sorted.at(-1) ?? Number.NaN,
    passMsPerFire: busyPassMs / Math.max(1, fires),
    passes: reports.reduce((sum, r) => sum + r.passes, 0),
    duplicateOccurrences: Number(duplicates.rows[0]?.n ?? 0),
    overdueSchedulesAtEnd: Number(missing.rows[0]?.n ?? 0),
  };
});

const machine = describeMachine();
const lines = [
  `| schedules | workers | poll | fires | fires/s | lag p50 | lag p99 | lag max | pass time per fire | duplicates |`,
  `|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|`,
  `| ${result.schedules} | ${result.workers} | ${result.pollSec} s | ${result.fires} | ${result.firesPerSec.toFixed(0)} | ${result.lagP50Ms} ms | ${result.lagP99Ms} ms | ${result.lagMaxMs} ms | ${result.passMsPerFire.toFixed(2)} ms | ${result.duplicateOccurrences} |`,
];
process.stdout.write(`${lines.join('\n')}\n`);
const dir = fileURLToPath(new URL('../results/scheduler/', import.meta.url));
mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}${new Date().toISOString().replace(/[:.]/g, '-')}.json`, `${JSON.stringify({ machine, result }, null, 2)}\n`);
