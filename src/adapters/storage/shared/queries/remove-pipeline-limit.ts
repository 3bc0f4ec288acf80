import { sql } from 'drizzle-orm';
import type { SqlSession } from '../sql-database.js';

/** Removes a pipeline's limit: its jobs are claimed like any others' from the next claim on. */
export async function removePipelineLimit(s: SqlSession, pipeline: string): Promise<void> {
  await s.run(sql`DELETE FROM pipeline_limits WHERE pipeline = ${pipeline}`);
}
