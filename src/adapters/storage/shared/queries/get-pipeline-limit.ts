import { sql } from 'drizzle-orm';
import type { PipelineLimit } from '../../../../core/job-repository.js';
import type { Row } from '../job-rows.js';
import type { SqlDialect } from '../sql-dialect.js';
import type { SqlSession } from '../sql-database.js';
import { pipelineLimitFromRow } from './pipeline-limit-rows.js';

/** A pipeline's limit on jobs running at once; null when it has none. */
export async function getPipelineLimit(s: SqlSession, d: SqlDialect, pipeline: string): Promise<PipelineLimit | null> {
  const rows = await s.all<Row>(sql`SELECT pipeline, max_running, updated_at FROM pipeline_limits WHERE pipeline = ${pipeline}`);
  const row = rows[0];
  return row === undefined ? null : pipelineLimitFromRow(row, d);
}
