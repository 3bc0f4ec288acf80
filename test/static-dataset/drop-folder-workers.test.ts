import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/adapters/storage/shared/storage.js';
import type { DropRecord } from '../../src/core/snapshot-drops.js';
import { migrateDatabase, openStorage } from '../../src/platform/storage.js';
import { startApp, type AppProcess } from '../support/app-process.js';
import { snapshotBytes, snapshotDocument, snapshotRow } from '../support/snapshot-files.js';
import { createPostgresDatabase, createSqliteDatabase, databaseConfig, type TestDatabase } from '../support/test-databases.js';
import { waitFor } from '../support/wait-for.js';

const PIPELINE = 'static_dataset.snapshot';
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const day = () => new Date().toISOString().slice(0, 10);
const listed = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : []);

/** A snapshot big enough that importing it takes a worker a noticeable while (and can be cut short). */
function largeSnapshot(source: string): Buffer {
  const records = Array.from({ length: 8_000 }, (_, i) => snapshotRow(i, { raw_payload: { line: i, text: 'x'.repeat(400) } }));
  return snapshotBytes({ ...snapshotDocument(source, 0), records });
}

/**
 * Real worker processes sharing one drop folder and one database: each file imported exactly once
 * by four of them, a worker killed with SIGKILL in the middle of an import, and a file whose import
 * is cut short every time until its job's interruption budget is spent.
 */
describe.each([
  ['postgres', createPostgresDatabase],
  ['sqlite', createSqliteDatabase],
] as const)('drop folder shared by worker processes (%s)', (driver, createDatabase) => {
  let database: TestDatabase;
  let storage: Storage;
  let root = '';
  const workers: AppProcess[] = [];

  beforeAll(async () => {
    database = await createDatabase();
    await migrateDatabase(databaseConfig(driver, database.dsn));
    storage = openStorage(databaseConfig(driver, database.dsn));
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop(5_000)));
    rmSync(root, { recursive: true, force: true });
  });

  afterAll(async () => {
    await storage.jobs.close();
    await database.drop();
  });

  const startWorker = async (env: Record<string, string> = {}) => {
    const worker = startApp('apps/worker/main.ts', {
      DATABASE_DRIVER: driver,
      DATABASE_DSN: database.dsn,
      LOG_LEVEL: 'info',
      SCHEDULER_ENABLED: 'false',
      WORKER_POLL_INTERVAL_SEC: '0.1',
      WORKER_CONCURRENCY: '4',
      WORKER_LEASE_DURATION_SEC: '3',
      WORKER_HEARTBEAT_INTERVAL_SEC: '1',
      WORKER_BASE_RETRY_DELAY_SEC: '0.1',
      STATIC_DATASET_INCOMING_DIR: join(root, 'incoming'),
      STATIC_DATASET_SCAN_INTERVAL_SEC: '0.2',
      STATIC_DATASET_STABILITY_SEC: '0.3',
      STATIC_DATASET_MAX_FILE_BYTES: String(64 * 1024 * 1024),
      ...env,
    });
    workers.push(worker);
    await worker.waitForMessage('drop folder scanning', 60_000);
    return worker;
  };
  /** Written beside, then renamed in: the usual way to drop a file whole. */
  const drop = (name: string, bytes: Uint8Array | string) => {
    writeFileSync(join(root, 'incoming', `.${name}.writing`), bytes);
    renameSync(join(root, 'incoming', `.${name}.writing`), join(root, 'incoming', name));
  };
  const dropsOf = async (fileNames: Set<string>) => (await storage.drops.listDrops({ limit: 1000 })).filter((d) => fileNames.has(d.fileName));
  const settled = (name: string, timeoutMs = 60_000): Promise<DropRecord> =>
    waitFor(`${name} to be settled`, async () => (await dropsOf(new Set([name]))).find((d) => d.outcome !== 'pending' && d.location !== null), timeoutMs);
  /** The import job of `scope` once an attempt after `afterAttempt` runs (or it has ended in one of `orEnded`). */
  const runningJob = (scope: string, orEnded: string[] = [], afterAttempt = 0) =>
    waitFor(
      `the import of ${scope} to be running`,
      async () =>
        (await storage.jobs.listJobs({ filter: { pipeline: PIPELINE, states: ['running', 'exhausted'] }, limit: 10 })).jobs.find(
          (j) => j.scope.source_name === scope && ((j.state === 'running' && j.attemptCount > afterAttempt) || orEnded.includes(j.state)),
        ),
      60_000,
    );

  it('four workers and 200 files: each file taken once; imported + duplicates + failed = 200', async () => {
    root = mkdtempSync(join(tmpdir(), 'drop-workers-'));
    mkdirSync(join(root, 'incoming'), { recursive: true });
    await Promise.all([1, 2, 3, 4].map(() => startWorker()));
    const valid = Array.from({ length: 150 }, (_, i) => snapshotBytes(snapshotDocument(`fleet-${i % 10}`, 2, 1000 + i)));
    const names = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const name = `file-${String(i).padStart(3, '0')}.json`;
      names.add(name);
      // 150 distinct valid files, 30 copies of some of them under other names, 20 invalid.
      drop(name, i < 150 ? (valid[i] ?? '') : i < 180 ? (valid[(i * 7) % 150] ?? '') : `{"source_name": "broken-${i}"`);
    }
    await waitFor('every file settled', async () => (await dropsOf(names)).filter((d) => d.outcome !== 'pending' && d.location !== null).length === 200, 240_000);
    const drops = await dropsOf(names);
    const count = (outcome: string) => drops.filter((d) => d.outcome === outcome).length;
    expect(drops).toHaveLength(200);
    expect({ imported: count('imported'), duplicate: count('duplicate'), invalid: count('invalid') }).toEqual({ imported: 150, duplicate: 30, invalid: 20 });
    expect(new Set(drops.map((d) => d.fileName)).size).toBe(200);
    // One job per distinct content, each succeeded with one attempt's snapshot; no content imported twice.
    const jobs = (await storage.jobs.listJobs({ filter: { pipeline: PIPELINE }, limit: 200 })).jobs;
    expect(jobs).toHaveLength(150);
    expect(jobs.every((j) => j.state === 'succeeded')).toBe(true);
    const imported = drops.filter((d) => d.outcome === 'imported');
    expect(new Set(imported.map((d) => d.sha256)).size).toBe(150);
    expect(new Set(imported.map((d) => d.jobId)).size).toBe(150);
    expect(listed(join(root, 'archive', day()))).toHaveLength(150);
    expect(listed(join(root, 'archive', 'duplicates', day()))).toHaveLength(30);
    expect(listed(join(root, 'failed'))).toHaveLength(40);
    expect(listed(join(root, 'incoming'))).toEqual([]);
    expect(listed(join(root, 'processing'))).toEqual([]);
  }, 300_000);

  it('a worker killed with SIGKILL mid-import: another recovers the file from processing and imports it exactly once', async () => {
    root = mkdtempSync(join(tmpdir(), 'drop-crash-'));
    mkdirSync(join(root, 'incoming'), { recursive: true });
    const first = await startWorker();
    const bytes = largeSnapshot('crash-league');
    drop('big.json', bytes);
    const job = await runningJob('crash-league');
    first.child.kill('SIGKILL');
    await first.exited;
    expect(listed(join(root, 'processing'))).toHaveLength(1);
    expect(listed(join(root, 'archive', day()))).toEqual([]);
    await startWorker();
    const record = await settled('big.json', 120_000);
    expect(record).toMatchObject({ outcome: 'imported', jobId: job.id, sha256: sha(bytes), location: `archive/${day()}/big.json` });
    const details = await storage.jobs.getJob(job.id);
    // At least the kill; a loaded machine may also see a lease lapse while the big file is parsed.
    expect(details?.job.state).toBe('succeeded');
    expect(details?.job.interruptions).toBeGreaterThanOrEqual(1);
    expect((await storage.jobs.listJobs({ filter: { pipeline: PIPELINE, scopeKey: job.scopeKey }, limit: 10 })).jobs).toHaveLength(1);
    expect(await storage.ingestion.findLatestPublications(PIPELINE, { source_name: 'crash-league' }, 10)).toMatchObject([{ version: 1, jobId: job.id }]);
    expect(sha(readFileSync(join(root, 'archive', day(), 'big.json')))).toBe(sha(bytes));
    expect(listed(join(root, 'processing'))).toEqual([]);
  }, 300_000);

  it('a file whose import stops its worker every time ends in failed as poison once its job is exhausted', async () => {
    root = mkdtempSync(join(tmpdir(), 'drop-poison-'));
    mkdirSync(join(root, 'incoming'), { recursive: true });
    const env = { WORKER_MAX_INTERRUPTIONS: '2' };
    const bytes = largeSnapshot('poison-league');
    let worker = await startWorker(env);
    drop('poison.json', bytes);
    // Each run is cut short the way a crash would: SIGKILL while the job runs, until the claim
    // that rescues it finds its interruption budget spent.
    let attempt = 0;
    for (let run = 1; run <= 5; run++) {
      // A new attempt: the killed worker's job shows as running until its lease is rescued.
      const job = await runningJob('poison-league', ['exhausted'], attempt);
      if (job.state === 'exhausted') break;
      attempt = job.attemptCount;
      worker.child.kill('SIGKILL');
      await worker.exited;
      worker = await startWorker(env);
    }
    const record = await settled('poison.json', 120_000);
    expect(record).toMatchObject({ outcome: 'poison', sha256: sha(bytes), location: 'failed/poison.json' });
    const report = JSON.parse(readFileSync(join(root, 'failed', 'poison.json.error.json'), 'utf8')) as Record<string, unknown>;
    expect(report).toMatchObject({ outcome: 'poison', job_state: 'exhausted', failure: { code: 'TOO_MANY_INTERRUPTIONS' } });
    expect((await storage.jobs.getJob(record.jobId ?? ''))?.job.state).toBe('exhausted');
    expect(listed(join(root, 'processing'))).toEqual([]);
  }, 300_000);
});
