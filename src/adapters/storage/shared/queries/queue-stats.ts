import { sql, type SQL } from 'drizzle-orm';
import type { QueueStat } from '../../../../core/job-repository.js';
import type { JobState } from '../../../../core/job.js';
import type { SqlDialect } from '../sql-dialect.js';
import type { Row } from '../job-rows.js';

/**
 * Jobs per pipeline and state, and per pipeline the wait of the oldest job runnable now (pending and
 * due), in one statement. `succeeded` is left out: kept records make it the one state that grows
 * without bound, and ingest_jobs_finished_total counts it instead. The other states are the queue and
 * the jobs that need a person (failed, exhausted, cancelled).
 */
export function queueStatsQuery(d: SqlDialect, now: SQL): SQL {
  return sql`
    SELECT pipeline, state, count(*) AS jobs,
      ${d.msBetween(sql`min(CASE WHEN state = 'pending' AND next_retry_at <= ${now} THEN next_retry_at END)`, now)}
        AS oldest_runnable_age_ms
    FROM ingestion_jobs
    WHERE state IN ('pending', 'running', 'failed', 'exhausted', 'cancelled')
    GROUP BY pipeline, state`;
}

export function queueStatFromRow(row: Row): QueueStat {
  const age = row.oldest_runnable_age_ms;
  return {
    pipeline: String(row.pipeline),
    state: row.state as JobState,
    jobs: Number(row.jobs),
    oldestRunnableAgeMs: age === null || age === undefined ? null : Math.max(0, Number(age)),
  };
}
