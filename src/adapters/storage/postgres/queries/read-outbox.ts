import { sql } from 'drizzle-orm';
import type { Row } from '../../shared/job-rows.js';
import { positionOfRow } from '../../shared/outbox-rows.js';
import { OUTBOX_START } from '../../shared/outbox-cursor.js';
import type { OutboxReadQuery, OutboxReadRows } from '../../shared/outbox-read.js';
import type { PgDatabase } from '../pg-database.js';

/**
 * One statement, so one snapshot, for the retention mark, the head and the page. An event is
 * readable once its transaction is below the snapshot's xmin: every transaction that could still
 * commit an event is at or above it, and so sorts after every readable event (ADR 27).
 */
export async function readOutbox(db: PgDatabase, query: OutboxReadQuery): Promise<OutboxReadRows> {
  const filters = [
    ...(query.pipeline === undefined ? [] : [sql`AND e.pipeline = ${query.pipeline}`]),
    ...(query.scopeKey === undefined ? [] : [sql`AND e.scope_key = ${query.scopeKey}`]),
  ];
  const rows = await db.statement<Row>(sql`
    WITH horizon AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin),
    head AS (
      SELECT e.xact_id, e.id FROM outbox_events e
      WHERE e.xact_id < (SELECT xmin FROM horizon)
      ORDER BY e.xact_id DESC, e.id DESC LIMIT 1),
    page AS (
      SELECT e.* FROM outbox_events e
      WHERE e.xact_id < (SELECT xmin FROM horizon)
        AND (e.xact_id, e.id) > (${query.after.tx.toString()}::xid8, ${query.after.id.toString()}::bigint)
        ${sql.join(filters, sql` `)}
      ORDER BY e.xact_id, e.id LIMIT ${query.limit})
    SELECT (SELECT pruned_xact_id::text FROM outbox_retention) AS pruned_tx, (SELECT pruned_id FROM outbox_retention) AS pruned_id,
      (SELECT xact_id::text FROM head) AS head_tx, (SELECT id FROM head) AS head_id,
      p.id, p.xact_id::text AS xact_id, p.type, p.occurred_at, p.pipeline, p.scope_key, p.scope,
      p.publication_id, p.version, p.envelope_hash, p.supersedes
    -- One row even when the page is empty, estimated as the page: a join with the retention table
    -- would be costed as if it had many rows, enough to pay for JIT compilation on every read.
    FROM (VALUES (1)) AS one (n) LEFT JOIN page p ON true
    ORDER BY p.xact_id, p.id`);
  const first = rows[0];
  return {
    pruned: positionOfRow(first?.pruned_tx, first?.pruned_id) ?? OUTBOX_START,
    head: positionOfRow(first?.head_tx, first?.head_id),
    events: rows.filter((row) => row.id !== null),
  };
}
