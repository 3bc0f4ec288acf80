import { sql } from 'drizzle-orm';
import type { WebhookEndpoint, WebhookEndpointSettings } from '../../../../../core/webhooks/webhook-repository.js';
import type { Row } from '../../job-rows.js';
import type { SqlDialect } from '../../sql-dialect.js';
import type { SqlSession } from '../../sql-database.js';
import { endpointFromRow, liveEndpoint, pipelinesValue } from '../../webhook-rows.js';
import { releaseAllWaiting } from './open-deliveries.js';

function one(rows: Row[], d: SqlDialect): WebhookEndpoint | null {
  const row = rows[0];
  return row === undefined ? null : liveEndpoint(endpointFromRow(row, d));
}

export async function insertEndpoint(s: SqlSession, d: SqlDialect, settings: WebhookEndpointSettings, secret: string): Promise<WebhookEndpoint> {
  const rows = await s.all<Row>(sql`
    INSERT INTO webhook_endpoints (url, description, pipelines, enabled, ordered, secret, created_at, updated_at)
    VALUES (${settings.url}, ${settings.description}, ${pipelinesValue(d, settings.pipelines)}, ${d.bool(settings.enabled)},
      ${d.bool(settings.ordered)}, ${secret}, ${s.now}, ${s.now})
    RETURNING *`);
  const endpoint = one(rows, d);
  if (endpoint === null) throw new Error('inserting a webhook endpoint returned no row');
  return endpoint;
}

/**
 * New settings; enabling clears the reason it was disabled and its failing streak. Turning `ordered`
 * off sends every delivery still waiting for its scope (each gets a job of `maxTries` tries), since
 * no earlier delivery's end would release it any more; `released` says how many.
 */
export async function rewriteEndpoint(
  s: SqlSession,
  d: SqlDialect,
  id: string,
  settings: WebhookEndpointSettings,
  maxTries: number,
): Promise<{ endpoint: WebhookEndpoint | null; released: number }> {
  const before = await s.all<Row>(sql`SELECT ordered FROM webhook_endpoints WHERE id = ${d.id(id)} AND deleted_at IS NULL ${d.forUpdate}`);
  if (before[0] === undefined) return { endpoint: null, released: 0 };
  const enabled = d.bool(settings.enabled);
  const rows = await s.all<Row>(sql`
    UPDATE webhook_endpoints SET url = ${settings.url}, description = ${settings.description},
      pipelines = ${pipelinesValue(d, settings.pipelines)}, ordered = ${d.bool(settings.ordered)}, enabled = ${enabled},
      disabled_reason = CASE WHEN ${enabled} THEN NULL WHEN enabled THEN 'disabled through the API' ELSE disabled_reason END,
      disabled_at = CASE WHEN ${enabled} THEN NULL WHEN enabled THEN ${s.now} ELSE disabled_at END,
      failing_since = CASE WHEN ${enabled} AND NOT ${d.isTrue(sql`enabled`)} THEN NULL ELSE failing_since END,
      updated_at = ${s.now}
    WHERE id = ${d.id(id)} AND deleted_at IS NULL
    RETURNING *`);
  const endpoint = one(rows, d);
  const released = endpoint !== null && d.readBool(before[0].ordered) && !settings.ordered ? await releaseAllWaiting(s, d, id, maxTries) : 0;
  return { endpoint, released };
}

export async function markEndpointDeleted(s: SqlSession, d: SqlDialect, id: string): Promise<boolean> {
  const changed = await s.run(sql`
    UPDATE webhook_endpoints SET deleted_at = ${s.now}, updated_at = ${s.now}, enabled = ${d.bool(false)},
      disabled_reason = 'deleted', disabled_at = ${s.now}
    WHERE id = ${d.id(id)} AND deleted_at IS NULL`);
  return changed > 0;
}

export async function rotateEndpointSecret(s: SqlSession, d: SqlDialect, id: string, secret: string, previousValidMs: number): Promise<WebhookEndpoint | null> {
  const rows = await s.all<Row>(sql`
    UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_expires_at = ${d.addMs(s.now, previousValidMs)},
      secret = ${secret}, updated_at = ${s.now}
    WHERE id = ${d.id(id)} AND deleted_at IS NULL
    RETURNING *`);
  return one(rows, d);
}
