import type { PipelineLimit } from '../../../../core/job-repository.js';
import type { Row } from '../job-rows.js';
import type { SqlDialect } from '../sql-dialect.js';

/** A `pipeline_limits` row as the domain sees it. */
export function pipelineLimitFromRow(row: Row, d: SqlDialect): PipelineLimit {
  return { pipeline: String(row.pipeline), maxRunning: Number(row.max_running), updatedAt: d.readTime(row.updated_at) };
}
