import { sql } from 'drizzle-orm';
import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { JobRepository } from '../../../core/job-repository.js';
import { SqlIngestionStore } from '../shared/sql-ingestion-store.js';
import type { Storage } from '../shared/storage.js';
import { SqlJobRepository } from '../shared/sql-job-repository.js';
import { SqlScheduleRepository } from '../shared/sql-schedule-repository.js';
import type { SqlSession } from '../shared/sql-database.js';
import { SqlChangeFeed } from '../shared/sql-change-feed.js';
import { CANCEL_REQUESTED_CHANNEL, JOBS_AVAILABLE_CHANNEL, NotificationListener, OUTBOX_CHANNEL } from './notification-listener.js';
import { PgDatabase } from './pg-database.js';
import { pgDialect } from './pg-dialect.js';
import { claimJobs } from './queries/claim-jobs.js';
import { completeJobs } from './queries/complete-jobs.js';
import { insertJobs } from './queries/insert-jobs.js';
import { pruneOutbox } from './queries/prune-outbox.js';
import { readOutbox } from './queries/read-outbox.js';
import { queueStatsQuery } from '../shared/queries/queue-stats.js';
import type { Row } from '../shared/job-rows.js';
import { insertFollowUps } from './queries/insert-follow-ups.js';

export interface PostgresOptions {
  connectionString: string;
  /** Connections open at most. */
  maxConnections?: number;
  /** Connections kept open while idle; extra idle ones close after `idleTimeoutMs`. */
  minIdleConnections?: number;
  /** Connections older than this are replaced; 0 keeps them. */
  connectionMaxLifetimeSec?: number;
  idleTimeoutMs?: number;
  applicationName?: string;
  onBackgroundError?: (error: Error) => void;
  /** The notification connection is back after failing; wake-ups and cancel signals flow again. */
  onNotificationsRestored?: () => void;
}

export function createPgPool(options: PostgresOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    min: options.minIdleConnections ?? 0,
    maxLifetimeSeconds: options.connectionMaxLifetimeSec ?? 0,
    idleTimeoutMillis: options.idleTimeoutMs ?? 10_000,
    application_name: options.applicationName ?? 'ingestion-adapter',
  });
  // An idle connection that dies must not take the process with it; the pool replaces it.
  pool.on('error', (error) => options.onBackgroundError?.(error));
  return pool;
}

export function createPostgresJobRepository(options: PostgresOptions): JobRepository {
  return createPostgresStorage(options).jobs;
}

/** The job ledger and the ingestion store over one pool; closing `jobs` closes both. */
export function createPostgresStorage(options: PostgresOptions): Storage {
  const db = new PgDatabase(createPgPool(options));
  const listener = new NotificationListener(
    { connectionString: options.connectionString, application_name: `${options.applicationName ?? 'ingestion-adapter'}:listen` },
    { onError: (error) => options.onBackgroundError?.(error), onRestored: () => options.onNotificationsRestored?.() },
  );
  // Delivered when the enqueueing transaction commits, to every listening worker on any host.
  const announceJobs = async (s: SqlSession) => {
    await s.run(sql`SELECT pg_notify(${JOBS_AVAILABLE_CHANNEL}, '')`);
  };
  const jobs = new SqlJobRepository(db, pgDialect, {
    insertJobs: (inputs) => insertJobs(db, inputs),
    claimJobs: (request) => claimJobs(db, request),
    completePlainJobs: (settles) => completeJobs(db, settles),
    insertFollowUps,
    announceJobs,
    // Delivered at commit: change-feed readers in every process read again.
    announceOutboxEvents: async (s) => {
      await s.run(sql`SELECT pg_notify(${OUTBOX_CHANNEL}, '')`);
    },
    // Also delivered at commit, to every listener: the worker holding the job checks its lease at once.
    announceCancelRequested: async (s, jobId) => {
      await s.run(sql`SELECT pg_notify(${CANCEL_REQUESTED_CHANNEL}, ${jobId})`);
    },
    onJobsAvailable: (callback) => listener.subscribe(JOBS_AVAILABLE_CHANNEL, () => callback()),
    onCancelRequested: (callback) => listener.subscribe(CANCEL_REQUESTED_CHANNEL, (jobId) => callback(jobId === '' ? undefined : jobId)),
    // statement_timeout for this transaction only: a slow count is cancelled on the server.
    queueStats: (timeoutMs) =>
      db.transaction(async (s) => {
        await s.all(sql`SELECT set_config('statement_timeout', ${String(Math.max(1, Math.round(timeoutMs)))}, true)`);
        return s.all<Row>(queueStatsQuery(pgDialect, s.now));
      }),
    close: () => listener.close(),
  });
  // One LISTEN subscription for every waiting reader of this storage, made on the first wait and
  // kept until close: long polls come and go far more often than the connection should.
  const outboxSignal = new EventEmitter().setMaxListeners(0);
  let outboxSubscribed = false;
  const changes = new SqlChangeFeed(pgDialect, {
    read: (query) => readOutbox(db, query),
    prune: (retentionMs, batch) => pruneOutbox(db, retentionMs, batch),
    onChange: (callback) => {
      outboxSignal.on('change', callback);
      if (!outboxSubscribed) {
        outboxSubscribed = true;
        // Also called with no payload after a lost connection came back: read again then too.
        void listener.subscribe(OUTBOX_CHANNEL, () => outboxSignal.emit('change'));
      }
      return () => outboxSignal.off('change', callback);
    },
  });
  return { jobs, ingestion: new SqlIngestionStore(db, pgDialect), schedules: new SqlScheduleRepository(db, pgDialect, announceJobs), changes };
}
