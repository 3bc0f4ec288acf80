import { sql } from 'drizzle-orm';
import type { JobDetails } from '../../../../core/job.js';
import { attemptFromRow, jobFromRow, transitionFromRow, type Row } from '../job-rows.js';
import type { SqlDialect } from '../sql-dialect.js';
import type { SqlSession } from '../sql-database.js';

/** A job with every attempt and every state transition, oldest first. */
export async function getJob(s: SqlSession, d: SqlDialect, jobId: string): Promise<JobDetails | null> {
  const jobs = await s.all<Row>(sql`SELECT * FROM ingestion_jobs WHERE id = ${d.id(jobId)}`);
  const jobRow = jobs[0];
  if (jobRow === undefined) return null;
  const attempts = await s.all<Row>(sql`
    SELECT * FROM job_attempts WHERE job_id = ${d.id(jobId)} ORDER BY attempt_number`);
  const transitions = await s.all<Row>(sql`
    SELECT * FROM job_state_transitions WHERE job_id = ${d.id(jobId)} ORDER BY id`);
  return {
    job: jobFromRow(jobRow, d),
    attempts: attempts.map((row) => attemptFromRow(row, d)),
    transitions: transitions.map((row) => transitionFromRow(row, d)),
  };
}
