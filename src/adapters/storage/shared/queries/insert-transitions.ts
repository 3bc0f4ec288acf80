import { sql } from 'drizzle-orm';
import type { JobState } from '../../../../core/job.js';
import type { SqlDialect } from '../sql-dialect.js';
import type { SqlSession } from '../sql-database.js';

export interface TransitionRecord {
  jobId: string;
  attemptNumber: number;
  fromState: JobState | null;
  toState: JobState;
  reason: string;
}

/** Appends rows to the audit trail, all stamped with the transaction's instant. */
export async function insertTransitions(s: SqlSession, d: SqlDialect, records: TransitionRecord[]): Promise<void> {
  if (records.length === 0) return;
  const values = records.map(
    (r) => sql`(${d.id(r.jobId)}, ${r.attemptNumber}, ${r.fromState}, ${r.toState}, ${r.reason}, ${s.now})`,
  );
  await s.run(sql`
    INSERT INTO job_state_transitions (job_id, attempt_number, from_state, to_state, reason, at)
    VALUES ${sql.join(values, sql`, `)}`);
}
