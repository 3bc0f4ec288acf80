import type { NormalizedResultRecord, PublicationRecord, SnapshotRecord } from '../../../core/ingestion-store.js';
import type { NormalizedContent } from '../../../core/pipeline.js';
import type { ChangeClassification, PublicationDecisionKind } from '../../../core/publication-decision.js';
import type { Row } from './job-rows.js';
import type { SqlDialect } from './sql-dialect.js';

const text = (value: unknown): string | null =>
  typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'bigint' ? String(value) : null;

export function snapshotFromRow(row: Row, d: SqlDialect): SnapshotRecord {
  return {
    id: String(row.id),
    jobId: String(row.job_id),
    attemptNumber: Number(row.attempt_number),
    pipeline: String(row.pipeline),
    scopeKey: String(row.scope_key),
    resourceType: String(row.resource_type),
    resourceKey: String(row.resource_key),
    method: String(row.method),
    url: String(row.url),
    status: Number(row.status),
    notModified: d.readBool(row.not_modified),
    truncated: d.readBool(row.truncated),
    etag: text(row.etag),
    lastModified: text(row.last_modified),
    contentType: text(row.content_type),
    size: Number(row.size),
    sha256: String(row.sha256),
    fetchedAt: d.readTime(row.fetched_at),
  };
}

export function publicationFromRow(row: Row, d: SqlDialect): PublicationRecord {
  return {
    id: String(row.id),
    jobId: String(row.job_id),
    pipeline: String(row.pipeline),
    scopeKey: String(row.scope_key),
    scope: d.readJson(row.scope),
    version: Number(row.version),
    supersedes: text(row.supersedes),
    sourceSnapshotHash: String(row.source_snapshot_hash),
    normalizedHash: String(row.normalized_hash),
    envelopeHash: String(row.envelope_hash),
    decision: row.publication_decision as PublicationDecisionKind,
    reason: String(row.publication_reason),
    classification: row.change_classification as ChangeClassification,
    envelope: d.readJson(row.envelope),
    publishedAt: d.readTime(row.published_at),
  };
}

function snapshotIds(value: unknown): string[] {
  return Array.isArray(value) ? value.map((id) => String(id as string)) : [];
}

export function normalizedResultFromRow(row: Row, d: SqlDialect): NormalizedResultRecord {
  return {
    jobId: String(row.job_id),
    attemptNumber: Number(row.attempt_number),
    pipeline: String(row.pipeline),
    scopeKey: String(row.scope_key),
    sourceSnapshotIds: snapshotIds(d.readJsonValue(row.source_snapshot_ids)),
    sourceSnapshotHash: String(row.source_snapshot_hash),
    normalizedHash: String(row.normalized_hash),
    parserVersion: String(row.parser_version),
    normalizerVersion: String(row.normalizer_version),
    payload: d.readJson(row.payload) as NormalizedContent,
    recordCount: Number(row.record_count),
    decision: row.publication_decision as PublicationDecisionKind,
    reason: String(row.publication_reason),
    classification: row.change_classification as ChangeClassification,
  };
}
