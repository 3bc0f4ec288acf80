import { sql } from 'drizzle-orm';
import type { Row } from '../../shared/job-rows.js';
import { positionOfRow } from '../../shared/outbox-rows.js';
import { OUTBOX_START } from '../../shared/outbox-cursor.js';
import type { OutboxReadQuery, OutboxReadRows } from '../../shared/outbox-read.js';
import type { SqliteDatabase } from '../sqlite-database.js';

/**
 * One statement for the retention mark, the head and the page. SQLite has one writer at a time, so
 * ids are taken in commit order and every committed event is readable in id order (ADR 27).
 */
export async function readOutbox(db: SqliteDatabase, query: OutboxReadQuery): Promise<OutboxReadRows> {
  const filters = [
    ...(query.pipeline === undefined ? [] : [sql`AND e.pipeline = ${query.pipeline}`]),
    ...(query.scopeKey === undefined ? [] : [sql`AND e.scope_key = ${query.scopeKey}`]),
  ];
  const rows = await db.statement<Row>(sql`
    SELECT r.pruned_id, (SELECT max(id) FROM outbox_events) AS head_id, p.*
    FROM outbox_retention r LEFT JOIN (
      SELECT e.* FROM outbox_events e
      WHERE e.id > ${Number(query.after.id)} ${sql.join(filters, sql` `)}
      ORDER BY e.id LIMIT ${query.limit}) p ON 1 = 1
    ORDER BY p.id`);
  const first = rows[0];
  return {
    pruned: positionOfRow(0, first?.pruned_id) ?? OUTBOX_START,
    head: positionOfRow(0, first?.head_id),
    events: rows.filter((row) => row.id !== null),
  };
}
