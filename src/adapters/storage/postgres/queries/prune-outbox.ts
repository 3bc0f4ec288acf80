import { sql } from 'drizzle-orm';
import type { PgDatabase } from '../pg-database.js';

/**
 * Removes up to `batch` of the oldest events that occurred more than `retentionMs` ago, as a
 * prefix of the reading order, and records the newest removed so older cursors read as expired.
 * Only events below the snapshot's xmin are considered: nothing can be added before them later.
 */
export function pruneOutbox(db: PgDatabase, retentionMs: number, batch: number): Promise<number> {
  return db.transaction(async (s) => {
    const [last] = await s.all<{ xact_id: string; id: string }>(sql`
      SELECT xact_id::text, id FROM (
        SELECT xact_id, id FROM outbox_events
        WHERE xact_id < pg_snapshot_xmin(pg_current_snapshot())
          AND occurred_at < ${s.now} - ${retentionMs} * interval '1 millisecond'
        ORDER BY xact_id, id LIMIT ${batch}) oldest
      ORDER BY xact_id DESC, id DESC LIMIT 1`);
    if (last === undefined) return 0;
    const deleted = await s.run(sql`
      DELETE FROM outbox_events WHERE (xact_id, id) <= (${last.xact_id}::xid8, ${last.id}::bigint)`);
    await s.run(sql`
      UPDATE outbox_retention SET pruned_xact_id = ${last.xact_id}::xid8, pruned_id = ${last.id}::bigint, pruned_at = ${s.now}
      WHERE (pruned_xact_id, pruned_id) < (${last.xact_id}::xid8, ${last.id}::bigint)`);
    return deleted;
  });
}
