import { sql } from 'drizzle-orm';
import type { SqliteDatabase } from '../sqlite-database.js';

/** Running jobs an operator asked to cancel; a read outside any transaction, on the (state, id) index. */
export async function cancelRequestedJobIds(db: SqliteDatabase): Promise<string[]> {
  const rows = await db.statement<{ id: number | bigint }>(sql`
    SELECT id FROM ingestion_jobs WHERE state = 'running' AND cancel_requested = 1`);
  return rows.map((row) => String(row.id));
}
