import { sql } from 'drizzle-orm';
import type { EndpointPage, WebhookEndpoint } from '../../../../../core/webhooks/webhook-repository.js';
import { decodeJobCursor, encodeJobCursor } from '../../job-cursor.js';
import type { Row } from '../../job-rows.js';
import type { SqlDialect } from '../../sql-dialect.js';
import type { SqlSession } from '../../sql-database.js';
import { endpointFromRow, liveEndpoint } from '../../webhook-rows.js';

/** An endpoint by id, deleted ones included, with whether it was deleted. */
export async function readEndpoint(s: SqlSession, d: SqlDialect, id: string): Promise<(WebhookEndpoint & { deleted: boolean }) | null> {
  const rows = await s.all<Row>(sql`SELECT * FROM webhook_endpoints WHERE id = ${d.id(id)}`);
  const row = rows[0];
  return row === undefined ? null : endpointFromRow(row, d);
}

/** Live endpoints, newest first, keyset-paginated on id. */
export async function listEndpoints(s: SqlSession, d: SqlDialect, request: { limit: number; cursor?: string }): Promise<EndpointPage> {
  const before = request.cursor === undefined ? sql`` : sql`AND id < ${d.id(decodeJobCursor(request.cursor))}`;
  const rows = await s.all<Row>(sql`
    SELECT * FROM webhook_endpoints WHERE deleted_at IS NULL ${before} ORDER BY id DESC LIMIT ${request.limit + 1}`);
  const endpoints = rows.slice(0, request.limit).map((row) => liveEndpoint(endpointFromRow(row, d)));
  const last = endpoints[endpoints.length - 1];
  return { endpoints, nextCursor: rows.length > request.limit && last !== undefined ? encodeJobCursor(last.id) : null };
}
