import type { DropOutcome, DropRecord, DropVia } from '../../../../../core/snapshot-drops.js';
import type { Row } from '../../job-rows.js';
import type { SqlDialect } from '../../sql-dialect.js';

export const DROP_COLUMNS = 'id, claim_name, file_name, sha256, size, via, job_id, outcome, location, detail, created_at, updated_at';

/** A `snapshot_drops` row as the domain sees it. */
export function dropFromRow(row: Row, d: SqlDialect): DropRecord {
  return {
    id: String(row.id),
    claimName: String(row.claim_name),
    fileName: String(row.file_name),
    sha256: typeof row.sha256 === 'string' ? row.sha256 : null,
    size: Number(row.size),
    via: String(row.via) as DropVia,
    jobId: typeof row.job_id === 'string' || typeof row.job_id === 'number' || typeof row.job_id === 'bigint' ? String(row.job_id) : null,
    outcome: String(row.outcome) as DropOutcome,
    location: typeof row.location === 'string' ? row.location : null,
    detail: d.readJson(row.detail),
    createdAt: d.readTime(row.created_at),
    updatedAt: d.readTime(row.updated_at),
  };
}
