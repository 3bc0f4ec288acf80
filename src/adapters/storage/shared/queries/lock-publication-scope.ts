import { sql } from 'drizzle-orm';
import type { SqlDialect } from '../sql-dialect.js';
import type { SqlSession } from '../sql-database.js';

/**
 * Takes the publication lock of the job's scope before the settle writes anything. Reading the job
 * and taking an advisory lock give a PostgreSQL transaction no transaction id, so the id it gets
 * at its first write comes after every earlier publication of the scope committed: the outbox,
 * ordered by transaction id, keeps each scope's versions in order (ADR 27).
 */
export async function lockPublicationScope(s: SqlSession, d: SqlDialect, jobId: string): Promise<void> {
  const [job] = await s.all<{ pipeline: string; scope_key: string }>(sql`
    SELECT pipeline, scope_key FROM ingestion_jobs WHERE id = ${d.id(jobId)}`);
  if (job !== undefined) await d.lockScope(s, publicationLockKey(job.pipeline, job.scope_key));
}

export function publicationLockKey(pipeline: string, scopeKey: string): string {
  return `${pipeline}\n${scopeKey}`;
}
