import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import type { JobRepository } from '../../../core/job-repository.js';
import type { Storage } from '../shared/storage.js';
import { SqlIngestionStore } from '../shared/sql-ingestion-store.js';
import { SqlJobRepository } from '../shared/sql-job-repository.js';
import { claimJobs } from './queries/claim-jobs.js';
import { SqliteDatabase, type SqliteOptions } from './sqlite-database.js';
import { sqliteDialect } from './sqlite-dialect.js';

/**
 * Wakes workers of this process when jobs are enqueued through it. SQLite serves one machine, and
 * workers in other processes find new jobs by polling.
 */
const inProcessWakeups = new EventEmitter().setMaxListeners(0);

export function createSqliteJobRepository(options: SqliteOptions): JobRepository {
  return createSqliteStorage(options).jobs;
}

/** The job ledger and the ingestion store over one connection; closing `jobs` closes both. */
export function createSqliteStorage(options: SqliteOptions): Storage {
  const db = new SqliteDatabase(options);
  const channel = `jobs:${options.path === ':memory:' ? String(Math.random()) : resolve(options.path)}`;
  const jobs = new SqlJobRepository(db, sqliteDialect, {
    claimJobs: (request) => claimJobs(db, request),
    announceJobs: () => {
      // After the commit, so a woken worker finds the jobs.
      setImmediate(() => inProcessWakeups.emit(channel));
      return Promise.resolve();
    },
    onJobsAvailable: (listener) => {
      inProcessWakeups.on(channel, listener);
      return Promise.resolve(() => {
        inProcessWakeups.off(channel, listener);
        return Promise.resolve();
      });
    },
  });
  return { jobs, ingestion: new SqlIngestionStore(db, sqliteDialect) };
}
