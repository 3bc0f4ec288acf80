import { sql } from 'drizzle-orm';
import type { WebhookRecovery } from '../../../../../core/webhooks/webhook-repository.js';
import { nullableString, nullableTime, type Row } from '../../job-rows.js';
import type { SqlDialect } from '../../sql-dialect.js';
import type { SqlSession } from '../../sql-database.js';

/** An endpoint's resends and redeliveries, the latest first: who asked, when, and how many were sent again. */
export async function listRecoveries(s: SqlSession, d: SqlDialect, endpointId: string, limit: number): Promise<WebhookRecovery[]> {
  const rows = await s.all<Row>(sql`SELECT * FROM webhook_recoveries WHERE endpoint_id = ${d.id(endpointId)} ORDER BY id DESC LIMIT ${limit}`);
  return rows.map((row) => ({
    id: String(row.id),
    kind: row.kind === 'resend' ? 'resend' : 'redeliver_failed',
    eventId: nullableString(row.event_id),
    since: nullableTime(row.since, d),
    requestedBy: String(row.requested_by),
    requestId: nullableString(row.request_id),
    deliveryCount: Number(row.delivery_count),
    requestedAt: d.readTime(row.requested_at),
  }));
}
