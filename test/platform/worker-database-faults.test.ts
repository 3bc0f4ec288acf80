import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JobRepository } from '../../src/core/job-repository.js';
import { migrateDatabase, openJobRepository } from '../../src/platform/storage.js';
import { startApp, type AppProcess } from '../support/app-process.js';
import { runApp } from '../support/run-app.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { acceptedPassword, createPostgresDatabase, type TestDatabase } from '../support/test-databases.js';
import { waitFor } from '../support/wait-for.js';

const WORKER = 'apps/worker/main.ts';
/** Accepted by the test server, so a missing database is what fails, and looked for in every line. */
const password = () => acceptedPassword('not-a-real-password-41');
/** EX_UNAVAILABLE: the worker gave up on its database. */
const GAVE_UP = 69;

const workerEnv = (dsn: string, extra: Record<string, string> = {}): Record<string, string> => ({
  DATABASE_DRIVER: 'postgres',
  DATABASE_DSN: dsn,
  WORKER_POLL_INTERVAL_SEC: '0.2',
  WORKER_LEASE_DURATION_SEC: '5',
  WORKER_HEARTBEAT_INTERVAL_SEC: '1',
  WORKER_SHUTDOWN_TIMEOUT_SEC: '2',
  LOG_LEVEL: 'info',
  ...extra,
});

/** The single line a worker that gives up must leave on stderr. */
function onlyLine(stderr: string): string {
  const lines = stderr.split('\n').filter((line) => line.trim() !== '');
  expect(lines, `stderr was:\n${stderr}`).toHaveLength(1);
  return lines[0]!;
}

/** A copy of `dsn` with a password in it, so the tests can see it is never printed. */
function withPassword(dsn: string): URL {
  const url = new URL(dsn);
  url.password = password();
  return url;
}

describe('a worker whose database will not come back', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createPostgresDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('exits 69 with one line when the database does not exist', async () => {
    const dsn = withPassword(database.dsn);
    dsn.pathname = '/ia_no_such_database';
    const run = await runApp(WORKER, workerEnv(dsn.toString()), 60_000);
    expect(run.code).toBe(GAVE_UP);
    const line = onlyLine(run.stderr);
    expect(line).toMatch(/^worker: giving up on the database \(DATABASE_NOT_FOUND/);
    expect(line).toContain('"ia_no_such_database" does not exist');
    expect(line).toContain('postgres:redacted@');
    expect(run.stdout + run.stderr).not.toContain(password());
  });

  it('exits 69 with one line when the database host does not resolve', async () => {
    const dsn = withPassword(database.dsn);
    dsn.hostname = 'no-such-host.invalid';
    const run = await runApp(WORKER, workerEnv(dsn.toString()), 60_000);
    expect(run.code).toBe(GAVE_UP);
    const line = onlyLine(run.stderr);
    expect(line).toMatch(/^worker: giving up on the database \(DATABASE_HOST_UNKNOWN/);
    expect(line).toContain('no-such-host.invalid');
    expect(run.stdout + run.stderr).not.toContain(password());
  });

  it('says in one line, without a stack, why it cannot migrate at start', async () => {
    const dsn = withPassword(database.dsn);
    dsn.pathname = '/ia_no_such_database';
    const run = await runApp(WORKER, workerEnv(dsn.toString(), { DATABASE_RUN_MIGRATIONS: 'true' }), 60_000);
    expect(run.code).toBe(GAVE_UP);
    const line = onlyLine(run.stderr);
    expect(line).toMatch(/^worker: cannot start: the database named in DATABASE_DSN does not exist/);
    expect(line).toContain('postgres:redacted@');
    expect(run.stdout + run.stderr).not.toContain(password());
  });

  it('exits 69 with one line when its SQLite file cannot be created', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ia-worker-faults-'));
    try {
      // A regular file where the database's directory should be.
      writeFileSync(join(dir, 'not-a-directory'), '');
      const run = await runApp(WORKER, { DATABASE_DRIVER: 'sqlite', DATABASE_DSN: join(dir, 'not-a-directory', 'adapter.db') }, 60_000);
      expect(run.code).toBe(GAVE_UP);
      expect(onlyLine(run.stderr)).toMatch(/^worker: cannot start: the SQLite file in DATABASE_DSN cannot be opened or written.*EEXIST/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a worker whose database goes away', () => {
  let database: TestDatabase;
  let repo: JobRepository;
  let proxy: TcpProxy;
  let worker: AppProcess | undefined;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    await migrateDatabase({ driver: 'postgres', dsn: database.dsn, runMigrations: true, maxOpenConns: 2, maxIdleConns: 0, connMaxLifetimeSec: 0 });
    repo = openJobRepository({ driver: 'postgres', dsn: database.dsn, runMigrations: false, maxOpenConns: 2, maxIdleConns: 0, connMaxLifetimeSec: 0 });
    proxy = await TcpProxy.inFrontOf(database.dsn);
  });
  afterEach(async () => {
    await worker?.stop(5_000);
    worker = undefined;
    await proxy.restore();
  });
  afterAll(async () => {
    await proxy.close();
    await repo.close();
    await database.drop();
  });

  it('exits 69 once the database has been unreachable for WORKER_DATABASE_UNAVAILABLE_EXIT_SEC', async () => {
    worker = startApp(WORKER, workerEnv(proxy.rewrite(withPassword(database.dsn).toString()), { WORKER_DATABASE_UNAVAILABLE_EXIT_SEC: '2' }));
    await worker.waitForLog(/"msg":"worker started"/);
    await proxy.cut();
    // Before giving up existed, this waited forever (the test's timeout fails it).
    const run = await worker.exited;
    expect(run.code).toBe(GAVE_UP);
    const line = onlyLine(run.stderr);
    expect(line).toMatch(/^worker: giving up on the database \(DATABASE_UNREACHABLE, WORKER_DATABASE_UNAVAILABLE_EXIT_SEC=2 passed/);
    expect(line).toMatch(/no database call succeeded for [0-9.]+ s; last error: the database is unreachable/);
    expect(run.stdout + run.stderr).not.toContain(password());
  });

  it('rides out a short outage and claims again once the database is back', async () => {
    worker = startApp(WORKER, workerEnv(proxy.rewrite(database.dsn), { WORKER_DATABASE_UNAVAILABLE_EXIT_SEC: '120' }));
    await worker.waitForLog(/"msg":"worker started"/);
    await proxy.cut();
    await worker.waitForLog(/"msg":"claiming jobs failed/);
    await proxy.restore();

    const [enqueued] = await repo.enqueueJobs([{ pipeline: 'system.noop', scope: { outage: 'short' }, maxAttempts: 1 }]);
    const job = await waitFor('the job enqueued after the outage to succeed', async () => {
      const found = await repo.getJob(enqueued!.job.id);
      return found?.job.state === 'succeeded' ? found.job : undefined;
    }, 60_000);
    expect(job.state).toBe('succeeded');

    const run = await worker.stop();
    worker = undefined;
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
  });
});
