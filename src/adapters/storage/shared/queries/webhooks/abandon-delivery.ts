import { sql } from 'drizzle-orm';
import type { Row } from '../../job-rows.js';
import type { SqlDialect } from '../../sql-dialect.js';
import type { SqlSession } from '../../sql-database.js';
import { releaseNextInScope } from './open-deliveries.js';

/** Ends a delivery unsent (its endpoint is disabled or deleted); an ordered scope moves on to its next. */
export async function abandonDelivery(s: SqlSession, d: SqlDialect, deliveryId: string, reason: string, maxTries: number): Promise<void> {
  const rows = await s.all<Row>(sql`
    UPDATE webhook_deliveries SET status = 'failed', last_error = ${reason}, finished_at = ${s.now}, updated_at = ${s.now}
    WHERE id = ${d.id(deliveryId)} AND status = 'pending'
    RETURNING endpoint_id, scope_key`);
  const delivery = rows[0];
  if (delivery === undefined) return;
  const endpoint = await s.all<Row>(sql`SELECT ordered FROM webhook_endpoints WHERE id = ${d.id(String(delivery.endpoint_id))}`);
  if (d.readBool(endpoint[0]?.ordered)) await releaseNextInScope(s, d, String(delivery.endpoint_id), String(delivery.scope_key), maxTries);
}
