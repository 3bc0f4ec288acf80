import { sql } from 'drizzle-orm';
import type { DeliveryPage, DeliveryStatus, WebhookDelivery, WebhookDeliveryAttempt } from '../../../../../core/webhooks/webhook-repository.js';
import { decodeJobCursor, encodeJobCursor } from '../../job-cursor.js';
import type { Row } from '../../job-rows.js';
import type { SqlDialect } from '../../sql-dialect.js';
import type { SqlSession } from '../../sql-database.js';
import { deliveryAttemptFromRow, deliveryFromRow } from '../../webhook-rows.js';

export async function readDelivery(s: SqlSession, d: SqlDialect, deliveryId: string): Promise<WebhookDelivery | null> {
  const rows = await s.all<Row>(sql`SELECT * FROM webhook_deliveries WHERE id = ${d.id(deliveryId)}`);
  const row = rows[0];
  return row === undefined ? null : deliveryFromRow(row, d);
}

export async function readDeliveryAttempts(s: SqlSession, d: SqlDialect, deliveryId: string): Promise<WebhookDeliveryAttempt[]> {
  const rows = await s.all<Row>(sql`SELECT * FROM webhook_delivery_attempts WHERE delivery_id = ${d.id(deliveryId)} ORDER BY id`);
  return rows.map((row) => deliveryAttemptFromRow(row, d));
}

/** An endpoint's deliveries, newest first, optionally of one status. */
export async function listDeliveries(
  s: SqlSession,
  d: SqlDialect,
  endpointId: string,
  request: { limit: number; cursor?: string; status?: DeliveryStatus },
): Promise<DeliveryPage> {
  const before = request.cursor === undefined ? sql`` : sql`AND id < ${d.id(decodeJobCursor(request.cursor))}`;
  const status = request.status === undefined ? sql`` : sql`AND status = ${request.status}`;
  const rows = await s.all<Row>(sql`
    SELECT * FROM webhook_deliveries WHERE endpoint_id = ${d.id(endpointId)} ${status} ${before} ORDER BY id DESC LIMIT ${request.limit + 1}`);
  const deliveries = rows.slice(0, request.limit).map((row) => deliveryFromRow(row, d));
  const last = deliveries[deliveries.length - 1];
  return { deliveries, nextCursor: rows.length > request.limit && last !== undefined ? encodeJobCursor(last.id) : null };
}
