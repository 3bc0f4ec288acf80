import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { leaseOf } from '../../src/core/job.js';
import { migrationsDirectory, readMigrationFiles } from '../../src/adapters/storage/migrations/migration-files.js';
import { MigrationError, runMigrations, type MigrationTarget } from '../../src/adapters/storage/migrations/run-migrations.js';
import { postgresMigrationTarget } from '../../src/adapters/storage/postgres/postgres-migration-target.js';
import { sqliteMigrationTarget } from '../../src/adapters/storage/sqlite/sqlite-migration-target.js';
import { checkMigrations, migrateDatabase, openJobRepository } from '../../src/platform/storage.js';
import { openSqlite } from '../../src/adapters/storage/sqlite/sqlite-driver.js';
import { sleep } from '../support/wait-for.js';
import { runApp } from '../support/run-app.js';
import { databaseConfig, sqliteDriverUnderTest, type TestDatabase } from '../support/test-databases.js';

export function describeMigrationContract(driver: 'postgres' | 'sqlite', createDatabase: () => Promise<TestDatabase>): void {
  describe(`migrations (${driver})`, () => {
    const databases: TestDatabase[] = [];
    const fresh = async () => {
      const database = await createDatabase();
      databases.push(database);
      return database;
    };
    const target = (dsn: string): MigrationTarget => (driver === 'postgres' ? postgresMigrationTarget(dsn) : sqliteMigrationTarget(dsn));
    const allVersions = readMigrationFiles(migrationsDirectory(driver)).map((f) => f.version);

    afterAll(async () => {
      await Promise.all(databases.map((d) => d.drop()));
    });

    it('applies every file to a fresh database, then does nothing on a re-run', async () => {
      const { dsn } = await fresh();
      const config = databaseConfig(driver, dsn);
      expect((await checkMigrations(config)).pending).toEqual(allVersions);
      expect(await migrateDatabase(config)).toEqual({ applied: allVersions });
      expect(await migrateDatabase(config)).toEqual({ applied: [] });
      expect(await checkMigrations(config)).toEqual({ pending: [], problems: [] });
    });

    it('lets two migrate processes start at the same moment: each file is applied and reported once', async () => {
      const { dsn } = await fresh();
      const env = { DATABASE_DRIVER: driver, DATABASE_DSN: dsn };
      const runs = await Promise.all([runApp('apps/migrate/main.ts', env), runApp('apps/migrate/main.ts', env)]);
      for (const run of runs) expect(run.code, run.stderr).toBe(0);
      const reported = runs.map((r) => /applied (\S+(?:, \S+)*) to /.exec(r.stdout)?.[1]?.split(', ') ?? []);
      // Truthful reports: together they name every file, and no file is claimed by both.
      expect([...reported[0]!, ...reported[1]!].sort()).toEqual(allVersions);
      expect(reported[0]!.filter((v) => reported[1]!.includes(v))).toEqual([]);
      // The lock spans the whole run: whoever gets it second finds nothing left to do.
      expect(runs.filter((r) => r.stdout.includes('up to date'))).toHaveLength(1);
      expect(await checkMigrations(databaseConfig(driver, dsn))).toEqual({ pending: [], problems: [] });
    });

    it('makes a second migrator wait for the lock, then report only what it applied itself', async () => {
      const { dsn } = await fresh();
      const files = readMigrationFiles(migrationsDirectory(driver));
      const holder = target(dsn);
      const waiter = target(dsn);
      try {
        let waiterSettled = false;
        let waiterRun: Promise<{ applied: string[] }> | undefined;
        const heldOutcomes = await holder.withLock(async () => {
          waiterRun = runMigrations(waiter, files).finally(() => (waiterSettled = true));
          // Long enough for an unlocked migrator to finish; a locked one is still waiting.
          await sleep(1_000);
          expect(waiterSettled).toBe(false);
          await holder.ensureLedger();
          const outcomes: string[] = [];
          for (const file of files) outcomes.push(await holder.apply(file));
          return outcomes;
        });
        expect(heldOutcomes).toEqual(files.map(() => 'applied'));
        expect(await waiterRun).toEqual({ applied: [] });
      } finally {
        await holder.close();
        await waiter.close();
      }
    });

    it('reports a file another process applied in the meantime as already applied, not as applied', async () => {
      const { dsn } = await fresh();
      const files = readMigrationFiles(migrationsDirectory(driver));
      const first = target(dsn);
      const second = target(dsn);
      try {
        await first.ensureLedger();
        await second.ensureLedger();
        expect(await first.withLock(() => first.apply(files[0]!))).toBe('applied');
        expect(await second.withLock(() => second.apply(files[0]!))).toBe('already-applied');
      } finally {
        await first.close();
        await second.close();
      }
    });

    it('refuses to run when an applied file was changed, and applies nothing', async () => {
      const { dsn } = await fresh();
      const dir = mkdtempSync(join(tmpdir(), 'ia-migrations-'));
      try {
        cpSync(migrationsDirectory(driver), dir, { recursive: true });
        const first = target(dsn);
        await runMigrations(first, readMigrationFiles(dir));
        await first.close();

        const ledgerFile = join(dir, `${allVersions[0]}.sql`);
        writeFileSync(ledgerFile, `${readFileSync(ledgerFile, 'utf8')}\n-- edited after it was applied\n`);
        writeFileSync(join(dir, '9999_would_be_next.sql'), 'CREATE TABLE must_not_exist (id integer);');
        const second = target(dsn);
        const attempt = runMigrations(second, readMigrationFiles(dir));
        await expect(attempt).rejects.toBeInstanceOf(MigrationError);
        await expect(attempt).rejects.toThrow(new RegExp(`${allVersions[0]} was changed after it was applied`));
        await second.close();

        const status = await checkMigrations(databaseConfig(driver, dsn));
        expect(status.problems).toEqual([]);
        expect(status.pending).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('closes in place the attempt rows a previous version opened at claim time, whichever way the attempt ends', async () => {
      const { dsn } = await fresh();
      const config = databaseConfig(driver, dsn);
      await migrateDatabase(config);
      const repo = openJobRepository(config);
      try {
        const enqueued = await repo.enqueueJobs(['done', 'failed', 'expired'].map((label) => ({ pipeline: 'upgrade.p', scope: { label }, maxAttempts: 1 })));
        const [done, failed] = await repo.claimJobs({ workerId: 'old-worker', limit: 2, leaseMs: 30_000 });
        const [expired] = await repo.claimJobs({ workerId: 'old-worker', limit: 1, leaseMs: 1 });
        // What a worker of the previous version wrote when it claimed these jobs.
        const openRows = [done!, failed!, expired!].map((job) => [Number(job.id), job.attemptCount] as const);
        if (driver === 'postgres') {
          const client = new pg.Client({ connectionString: dsn });
          await client.connect();
          for (const [id, attempt] of openRows) {
            await client.query(`INSERT INTO job_attempts (job_id, attempt_number, worker_id, started_at) VALUES ($1, $2, 'old-worker', now())`, [id, attempt]);
          }
          await client.end();
        } else {
          const db = openSqlite(dsn, sqliteDriverUnderTest());
          const insert = db.prepare(`INSERT INTO job_attempts (job_id, attempt_number, worker_id, started_at) VALUES (?, ?, 'old-worker', ?)`);
          for (const [id, attempt] of openRows) insert.run([id, attempt, Date.now()]);
          db.close();
        }

        expect(await repo.completeJob(leaseOf(done!), {})).toEqual({ applied: true, state: 'succeeded' });
        const failure = { category: 'parse' as const, code: 'BAD', message: 'bad page', retryable: false };
        expect(await repo.failJob(leaseOf(failed!), failure, { state: 'failed' })).toEqual({ applied: true, state: 'failed' });
        await sleep(20);
        await repo.claimJobs({ workerId: 'new-worker', limit: 1, leaseMs: 30_000 });

        const outcomes = await Promise.all(enqueued.map(async ({ job }) => (await repo.getJob(job.id))?.attempts.map((a) => [a.outcome, a.failure?.code ?? null])));
        // The expired attempt is closed in place; being an interruption, not a charged attempt, it
        // leaves the job its one attempt, which the new worker is running now (ADR 13).
        expect(outcomes).toEqual([
          [['succeeded', null]],
          [['failed', 'BAD']],
          [
            ['lease_expired', 'LEASE_EXPIRED'],
            [null, null],
          ],
        ]);
      } finally {
        await repo.close();
      }
    });

    it('rolls back a failing file and reports which one failed', async () => {
      const { dsn } = await fresh();
      const dir = mkdtempSync(join(tmpdir(), 'ia-migrations-'));
      try {
        cpSync(migrationsDirectory(driver), dir, { recursive: true });
        writeFileSync(join(dir, '9998_broken.sql'), 'CREATE TABLE half_done (id integer);\nTHIS IS NOT SQL;');
        const runner = target(dsn);
        await expect(runMigrations(runner, readMigrationFiles(dir))).rejects.toThrow(/migration 9998_broken failed and was rolled back/);
        await runner.close();
        rmSync(join(dir, '9998_broken.sql'));
        writeFileSync(join(dir, '9998_broken.sql'), 'CREATE TABLE half_done (id integer);');
        const retry = target(dsn);
        // The table from the failed run was rolled back, so creating it again succeeds.
        expect(await runMigrations(retry, readMigrationFiles(dir))).toEqual({ applied: ['9998_broken'] });
        await retry.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
