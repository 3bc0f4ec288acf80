import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import type { JobRepository } from '../../../core/job-repository.js';
import type { Storage } from '../shared/storage.js';
import { SqlChangeFeed } from '../shared/sql-change-feed.js';
import { SqlIngestionStore } from '../shared/sql-ingestion-store.js';
import { SqlJobRepository } from '../shared/sql-job-repository.js';
import { SqlScheduleRepository } from '../shared/sql-schedule-repository.js';
import { CancelRequestWatch } from './cancel-request-watch.js';
import { cancelRequestedJobIds } from './queries/cancel-requested-job-ids.js';
import { claimJobs } from './queries/claim-jobs.js';
import { pruneOutbox } from './queries/prune-outbox.js';
import { readOutbox } from './queries/read-outbox.js';
import { SqliteDatabase, type SqliteOptions } from './sqlite-database.js';
import { SQLITE_NOW_MS, sqliteDialect } from './sqlite-dialect.js';
import { queueStatsQuery } from '../shared/queries/queue-stats.js';
import { insertFollowUps } from './queries/insert-follow-ups.js';

/**
 * Wakes workers of this process when jobs are enqueued or cancelled through any repository of this
 * process on the same file. SQLite serves one machine: workers in other processes find new jobs by
 * polling, and cancel requests through a CancelRequestWatch.
 */
const inProcessWakeups = new EventEmitter().setMaxListeners(0);

export function createSqliteJobRepository(options: SqliteOptions): JobRepository {
  return createSqliteStorage(options).jobs;
}

/** The job ledger and the ingestion store over one connection; closing `jobs` closes both. */
export function createSqliteStorage(options: SqliteOptions): Storage {
  const db = new SqliteDatabase(options);
  const file = options.path === ':memory:' ? String(Math.random()) : resolve(options.path);
  const channel = `jobs:${file}`;
  const cancelChannel = `cancel:${file}`;
  const outboxChannel = `outbox:${file}`;
  const cancelWatch = new CancelRequestWatch(() => cancelRequestedJobIds(db));
  const announceJobs = () => {
    // After the commit, so a woken worker finds the jobs.
    setImmediate(() => inProcessWakeups.emit(channel));
    return Promise.resolve();
  };
  const jobs = new SqlJobRepository(db, sqliteDialect, {
    claimJobs: (request) => claimJobs(db, request),
    insertFollowUps,
    announceJobs,
    announceOutboxEvents: () => {
      // After the commit, so a woken reader finds the events; readers in other processes recheck.
      setImmediate(() => inProcessWakeups.emit(outboxChannel));
      return Promise.resolve();
    },
    announceCancelRequested: (_session, jobId) => {
      setImmediate(() => inProcessWakeups.emit(cancelChannel, jobId));
      return Promise.resolve();
    },
    onJobsAvailable: (listener) => {
      inProcessWakeups.on(channel, listener);
      return Promise.resolve(() => {
        inProcessWakeups.off(channel, listener);
        return Promise.resolve();
      });
    },
    onCancelRequested: (listener) => {
      inProcessWakeups.on(cancelChannel, listener);
      const unwatch = cancelWatch.subscribe(listener);
      return Promise.resolve(async () => {
        inProcessWakeups.off(cancelChannel, listener);
        await unwatch();
      });
    },
    // Neither SQLite driver can stop a running statement: the count runs whole, through the state index.
    queueStats: () => db.statement(queueStatsQuery(sqliteDialect, SQLITE_NOW_MS)),
    close: () => cancelWatch.close(),
  });
  const changes = new SqlChangeFeed(sqliteDialect, {
    read: (query) => readOutbox(db, query),
    prune: (retentionMs, batch) => pruneOutbox(db, retentionMs, batch),
    onChange: (callback) => {
      inProcessWakeups.on(outboxChannel, callback);
      return () => inProcessWakeups.off(outboxChannel, callback);
    },
  });
  return { jobs, ingestion: new SqlIngestionStore(db, sqliteDialect), schedules: new SqlScheduleRepository(db, sqliteDialect, announceJobs), changes };
}
