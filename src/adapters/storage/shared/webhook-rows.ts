import type { SQL } from 'drizzle-orm';
import { sql } from 'drizzle-orm';
import type { DeliveryStatus, WebhookDelivery, WebhookDeliveryAttempt, WebhookEndpoint } from '../../../core/webhooks/webhook-repository.js';
import { nullableString, nullableTime, type Row } from './job-rows.js';
import { nullableId } from './schedule-rows.js';
import type { SqlDialect } from './sql-dialect.js';

export function endpointFromRow(row: Row, d: SqlDialect): WebhookEndpoint & { deleted: boolean } {
  const pipelines = row.pipelines === null || row.pipelines === undefined ? null : d.readJsonValue(row.pipelines);
  return {
    id: String(row.id),
    url: String(row.url),
    description: String(row.description),
    pipelines: Array.isArray(pipelines) ? pipelines.map(String) : null,
    enabled: d.readBool(row.enabled),
    disabledReason: nullableString(row.disabled_reason),
    disabledAt: nullableTime(row.disabled_at, d),
    ordered: d.readBool(row.ordered),
    secret: String(row.secret),
    previousSecret: nullableString(row.previous_secret),
    previousSecretExpiresAt: nullableTime(row.previous_secret_expires_at, d),
    failingSince: nullableTime(row.failing_since, d),
    createdAt: d.readTime(row.created_at),
    updatedAt: d.readTime(row.updated_at),
    deleted: row.deleted_at !== null && row.deleted_at !== undefined,
  };
}

/** The endpoint as the domain sees it (the deleted flag is the storage's). */
export function liveEndpoint(endpoint: WebhookEndpoint & { deleted: boolean }): WebhookEndpoint {
  const { deleted: _deleted, ...rest } = endpoint;
  return rest;
}

export function pipelinesValue(d: SqlDialect, pipelines: readonly string[] | null): SQL {
  return pipelines === null ? sql`NULL` : d.jsonArray(pipelines);
}

export function deliveryFromRow(row: Row, d: SqlDialect): WebhookDelivery {
  return {
    id: String(row.id),
    endpointId: String(row.endpoint_id),
    eventId: String(row.event_id),
    eventType: String(row.event_type),
    pipeline: String(row.pipeline),
    scopeKey: String(row.scope_key),
    payload: String(row.payload),
    status: String(row.status) as DeliveryStatus,
    jobId: nullableId(row.job_id),
    attemptCount: Number(row.attempt_count),
    lastError: nullableString(row.last_error),
    createdAt: d.readTime(row.created_at),
    updatedAt: d.readTime(row.updated_at),
    finishedAt: nullableTime(row.finished_at, d),
  };
}

export function deliveryAttemptFromRow(row: Row, d: SqlDialect): WebhookDeliveryAttempt {
  return {
    id: String(row.id),
    deliveryId: String(row.delivery_id),
    jobId: String(row.job_id),
    jobAttempt: Number(row.job_attempt),
    startedAt: d.readTime(row.started_at),
    latencyMs: Number(row.latency_ms),
    outcome: row.outcome === 'succeeded' ? 'succeeded' : 'failed',
    statusCode: row.status_code === null || row.status_code === undefined ? null : Number(row.status_code),
    responseExcerpt: nullableString(row.response_excerpt),
    error: nullableString(row.error),
  };
}
