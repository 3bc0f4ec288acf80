import { sql } from 'drizzle-orm';
import type { Job, JobAttempt, JobDetails } from '../../../../core/job.js';
import { jobTransitions } from '../../../../core/job-transitions.js';
import { attemptFromRow, jobFromRow, transitionFromRow, type Row } from '../job-rows.js';
import type { SqlDialect } from '../sql-dialect.js';
import type { SqlSession } from '../sql-database.js';

/**
 * A job with every attempt and every state transition, oldest first. The attempt in progress has no
 * row yet (it is written when it ends); it is read off the job's lease. The claim that starts each
 * attempt and the success that ends one are read off the attempt, not stored again as transitions.
 */
export async function getJob(s: SqlSession, d: SqlDialect, jobId: string): Promise<JobDetails | null> {
  const jobs = await s.all<Row>(sql`SELECT * FROM ingestion_jobs WHERE id = ${d.id(jobId)}`);
  const jobRow = jobs[0];
  if (jobRow === undefined) return null;
  const attempts = await s.all<Row>(sql`
    SELECT * FROM job_attempts WHERE job_id = ${d.id(jobId)} ORDER BY attempt_number`);
  const transitions = await s.all<Row>(sql`
    SELECT * FROM job_state_transitions WHERE job_id = ${d.id(jobId)} ORDER BY id`);
  const job = jobFromRow(jobRow, d);
  const recorded = attempts.map((row) => attemptFromRow(row, d));
  const allAttempts = [...recorded, ...openAttempt(job, recorded)];
  return {
    job,
    attempts: allAttempts,
    transitions: jobTransitions(
      transitions.map((row) => transitionFromRow(row, d)),
      allAttempts,
    ),
  };
}

function openAttempt(job: Job, recorded: JobAttempt[]): JobAttempt[] {
  if (job.state !== 'running' || job.claimedBy === null || job.claimedAt === null) return [];
  if (recorded.some((attempt) => attempt.attemptNumber === job.attemptCount)) return [];
  return [
    {
      jobId: job.id,
      attemptNumber: job.attemptCount,
      workerId: job.claimedBy,
      startedAt: job.claimedAt,
      finishedAt: null,
      outcome: null,
      failure: null,
      durationMs: null,
    },
  ];
}
