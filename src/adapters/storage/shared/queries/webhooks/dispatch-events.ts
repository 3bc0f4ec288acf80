import { sql } from 'drizzle-orm';
import { deliveryJob } from '../../../../../core/webhooks/delivery-job.js';
import { endpointWants } from '../../../../../core/webhooks/webhook-payload.js';
import type { DispatchEvent, DispatchRequest, WebhookEndpoint } from '../../../../../core/webhooks/webhook-repository.js';
import { nullableString, type Row } from '../../job-rows.js';
import type { SqlDialect } from '../../sql-dialect.js';
import type { SqlSession } from '../../sql-database.js';
import { endpointFromRow } from '../../webhook-rows.js';
import { insertJobs } from '../insert-jobs.js';
import { hasOpenDelivery, scopeLockKey } from './open-deliveries.js';

/** Deliveries per INSERT, well below either driver's bind-parameter limit. */
const CHUNK = 200;

interface Planned {
  endpoint: WebhookEndpoint;
  event: DispatchEvent;
  status: 'waiting' | 'pending' | 'failed';
  lastError: string | null;
}

/**
 * The dispatcher's write, in the caller's transaction: the cursor row is locked and must still be
 * where the page was read from (another dispatcher may have written the page already); then one
 * delivery per (live endpoint wanting it, event), a job for each one that may be sent now, and the
 * cursor moved. An ordered endpoint's delivery waits while an earlier one of its scope is open.
 */
export async function dispatchEvents(s: SqlSession, d: SqlDialect, request: DispatchRequest): Promise<{ ok: true; deliveries: number; jobs: number } | { ok: false; reason: 'moved' }> {
  await s.run(sql`INSERT INTO webhook_dispatch_cursors (name, cursor, updated_at) VALUES (${request.reader}, NULL, ${s.now}) ON CONFLICT (name) DO NOTHING`);
  const cursorRows = await s.all<Row>(sql`SELECT cursor FROM webhook_dispatch_cursors WHERE name = ${request.reader} ${d.forUpdate}`);
  if (nullableString(cursorRows[0]?.cursor) !== request.readAfter) return { ok: false, reason: 'moved' };

  const planned = await plan(s, d, request.events);
  let jobs = 0;
  for (let start = 0; start < planned.length; start += CHUNK) jobs += await writeChunk(s, d, planned.slice(start, start + CHUNK), request.maxTries);
  await s.run(sql`UPDATE webhook_dispatch_cursors SET cursor = ${request.nextCursor}, updated_at = ${s.now} WHERE name = ${request.reader}`);
  return { ok: true, deliveries: planned.length, jobs };
}

async function plan(s: SqlSession, d: SqlDialect, events: DispatchEvent[]): Promise<Planned[]> {
  if (events.length === 0) return [];
  const endpoints = (await s.all<Row>(sql`SELECT * FROM webhook_endpoints WHERE deleted_at IS NULL ORDER BY id`)).map((row) => endpointFromRow(row, d));
  const openScopes = new Set<string>();
  const checkedScopes = new Set<string>();
  const planned: Planned[] = [];
  for (const event of events) {
    for (const endpoint of endpoints) {
      if (!endpointWants(endpoint.pipelines, event.pipeline)) continue;
      if (!endpoint.enabled) {
        planned.push({ endpoint, event, status: 'failed', lastError: `not sent: the endpoint is disabled (${endpoint.disabledReason ?? 'no reason recorded'})` });
        continue;
      }
      if (!endpoint.ordered) {
        planned.push({ endpoint, event, status: 'pending', lastError: null });
        continue;
      }
      const key = scopeLockKey(endpoint.id, event.scopeKey);
      if (!checkedScopes.has(key)) {
        checkedScopes.add(key);
        await d.lockScope(s, key);
        if (await hasOpenDelivery(s, d, endpoint.id, event.scopeKey)) openScopes.add(key);
      }
      planned.push({ endpoint, event, status: openScopes.has(key) ? 'waiting' : 'pending', lastError: null });
      openScopes.add(key);
    }
  }
  return planned;
}

async function writeChunk(s: SqlSession, d: SqlDialect, chunk: Planned[], maxTries: number): Promise<number> {
  const values = chunk.map(
    (p) => sql`(${d.id(p.endpoint.id)}, ${p.event.id}, ${p.event.type}, ${p.event.pipeline}, ${p.event.scopeKey}, ${p.event.payload},
      ${p.status}, ${p.lastError}, ${s.now}, ${s.now}, ${p.status === 'failed' ? s.now : null})`,
  );
  const inserted = await s.all<Row>(sql`
    INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, pipeline, scope_key, payload, status, last_error, created_at, updated_at, finished_at)
    VALUES ${sql.join(values, sql`, `)}
    ON CONFLICT (endpoint_id, event_id) DO NOTHING
    RETURNING id, endpoint_id, event_id, status`);
  const toSend = inserted.filter((row) => row.status === 'pending');
  if (toSend.length === 0) return 0;
  const enqueued = await insertJobs(
    s,
    d,
    toSend.map((row) => deliveryJob({ endpointId: String(row.endpoint_id), eventId: String(row.event_id), deliveryId: String(row.id), maxTries })),
  );
  const cases = toSend.map((row, i) => sql`WHEN ${d.id(String(row.id))} THEN ${d.id(enqueued[i]?.job.id ?? '0')}`);
  await s.run(sql`
    UPDATE webhook_deliveries SET job_id = CASE id ${sql.join(cases, sql` `)} END
    WHERE id IN (${sql.join(
      toSend.map((row) => d.id(String(row.id))),
      sql`, `,
    )})`);
  return toSend.length;
}
