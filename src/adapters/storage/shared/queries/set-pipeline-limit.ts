import { sql } from 'drizzle-orm';
import type { PipelineLimit } from '../../../../core/job-repository.js';
import type { Row } from '../job-rows.js';
import type { SqlDialect } from '../sql-dialect.js';
import type { SqlSession } from '../sql-database.js';
import { pipelineLimitFromRow } from './pipeline-limit-rows.js';

/**
 * Sets a pipeline's limit. On PostgreSQL the upsert waits for a claim that holds the limit row, so a
 * claim counts against one limit from start to commit.
 */
export async function setPipelineLimit(s: SqlSession, d: SqlDialect, pipeline: string, maxRunning: number): Promise<PipelineLimit> {
  const rows = await s.all<Row>(sql`
    INSERT INTO pipeline_limits (pipeline, max_running, updated_at) VALUES (${pipeline}, ${maxRunning}, ${s.now})
    ON CONFLICT (pipeline) DO UPDATE SET max_running = excluded.max_running, updated_at = excluded.updated_at
    RETURNING pipeline, max_running, updated_at`);
  const row = rows[0];
  if (row === undefined) throw new Error(`the limit of ${pipeline} was not stored`);
  return pipelineLimitFromRow(row, d);
}
