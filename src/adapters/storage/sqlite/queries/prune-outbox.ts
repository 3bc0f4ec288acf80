import { sql } from 'drizzle-orm';
import type { SqliteDatabase } from '../sqlite-database.js';
import { sqliteDialect } from '../sqlite-dialect.js';

/**
 * Removes up to `batch` of the oldest events that occurred more than `retentionMs` ago, as a
 * prefix of the id order, and records the newest removed so older cursors read as expired.
 */
export function pruneOutbox(db: SqliteDatabase, retentionMs: number, batch: number): Promise<number> {
  return db.transaction(async (s) => {
    const [last] = await s.all<{ id: number | null }>(sql`
      SELECT max(id) AS id FROM (
        SELECT id FROM outbox_events WHERE occurred_at < ${sqliteDialect.addMs(s.now, -retentionMs)} ORDER BY id LIMIT ${batch})`);
    if (last?.id === null || last?.id === undefined) return 0;
    const deleted = await s.run(sql`DELETE FROM outbox_events WHERE id <= ${last.id}`);
    await s.run(sql`UPDATE outbox_retention SET pruned_id = ${last.id}, pruned_at = ${s.now} WHERE pruned_id < ${last.id}`);
    return deleted;
  });
}
