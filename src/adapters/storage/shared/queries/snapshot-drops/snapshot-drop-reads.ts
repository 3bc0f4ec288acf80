import { sql, type SQL } from 'drizzle-orm';
import type { DropFilter, DropRecord } from '../../../../../core/snapshot-drops.js';
import type { Row } from '../../job-rows.js';
import type { SqlDialect } from '../../sql-dialect.js';
import type { SqlSession } from '../../sql-database.js';
import { dropFromRow, DROP_COLUMNS } from './snapshot-drop-rows.js';

export async function getSnapshotDropByClaim(s: SqlSession, d: SqlDialect, claimName: string): Promise<DropRecord | null> {
  const rows = await s.all<Row>(sql`SELECT ${sql.raw(DROP_COLUMNS)} FROM snapshot_drops WHERE claim_name = ${claimName}`);
  return rows[0] === undefined ? null : dropFromRow(rows[0], d);
}

export async function getSnapshotDrop(s: SqlSession, d: SqlDialect, id: string): Promise<DropRecord | null> {
  const rows = await s.all<Row>(sql`SELECT ${sql.raw(DROP_COLUMNS)} FROM snapshot_drops WHERE id = ${d.id(id)}`);
  return rows[0] === undefined ? null : dropFromRow(rows[0], d);
}

/** Newest first, by the job or the content they name. */
export async function listSnapshotDrops(s: SqlSession, d: SqlDialect, filter: DropFilter): Promise<DropRecord[]> {
  const conditions: SQL[] = [sql`1 = 1`];
  if (filter.jobId !== undefined) conditions.push(sql`job_id = ${d.id(filter.jobId)}`);
  if (filter.sha256 !== undefined) conditions.push(sql`sha256 = ${filter.sha256}`);
  const rows = await s.all<Row>(sql`
    SELECT ${sql.raw(DROP_COLUMNS)} FROM snapshot_drops
    WHERE ${sql.join(conditions, sql` AND `)}
    ORDER BY id DESC LIMIT ${filter.limit}`);
  return rows.map((row) => dropFromRow(row, d));
}
