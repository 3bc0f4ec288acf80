import { sql } from 'drizzle-orm';
import type { DropRecord, DropRecordInput } from '../../../../../core/snapshot-drops.js';
import type { Row } from '../../job-rows.js';
import type { SqlDialect } from '../../sql-dialect.js';
import type { SqlSession } from '../../sql-database.js';
import { dropFromRow, DROP_COLUMNS } from './snapshot-drop-rows.js';

/**
 * Inserts a drop's record, or moves it on to its latest outcome (the claim name is the file's
 * identity). With `whilePending`, an existing record is changed only while its outcome is still
 * `pending`: of several workers deciding one file's outcome, one wins and the others get null.
 */
export async function recordSnapshotDrop(s: SqlSession, d: SqlDialect, input: DropRecordInput, whilePending: boolean): Promise<DropRecord | null> {
  const jobId = input.jobId === null ? sql`NULL` : d.id(input.jobId);
  const rows = await s.all<Row>(sql`
    INSERT INTO snapshot_drops (claim_name, file_name, sha256, size, via, job_id, outcome, location, detail, created_at, updated_at)
    VALUES (${input.claimName}, ${input.fileName}, ${input.sha256}, ${input.size}, ${input.via}, ${jobId}, ${input.outcome},
            ${input.location}, ${d.json(input.detail)}, ${s.now}, ${s.now})
    ON CONFLICT (claim_name) DO UPDATE SET
      sha256 = excluded.sha256, size = excluded.size, job_id = excluded.job_id, outcome = excluded.outcome,
      location = excluded.location, detail = excluded.detail, updated_at = excluded.updated_at
    ${whilePending ? sql`WHERE snapshot_drops.outcome = 'pending'` : sql``}
    RETURNING ${sql.raw(DROP_COLUMNS)}`);
  const row = rows[0];
  return row === undefined ? null : dropFromRow(row, d);
}
