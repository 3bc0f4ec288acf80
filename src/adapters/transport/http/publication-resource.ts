import { z } from 'zod';
import { jsonObjectSchema } from './json-value.js';
import type { NormalizedResultRecord, PublicationRecord, SnapshotRecord } from '../../../core/ingestion-store.js';
import { CHANGE_CLASSIFICATIONS, PUBLICATION_DECISIONS } from '../../../core/publication-decision.js';

const instant = z.iso.datetime({ offset: true });
const jsonObject = jsonObjectSchema;

export const publicationSchema = z
  .object({
    id: z.string(),
    job_id: z.string(),
    pipeline: z.string(),
    scope_key: z.string(),
    scope: jsonObject,
    version: z.int().describe('1, 2, 3… per (pipeline, scope_key)'),
    supersedes: z.string().nullable().describe('The publication this one replaces'),
    source_snapshot_hash: z.string(),
    normalized_hash: z.string(),
    envelope_hash: z.string().describe('sha256 of the canonical envelope without published_at'),
    decision: z.enum(PUBLICATION_DECISIONS),
    classification: z.enum(CHANGE_CLASSIFICATIONS),
    reason: z.string(),
    published_at: instant,
    envelope: jsonObject.describe('What downstream consumers apply: lineage, hashes and the normalized content'),
  })
  .meta({ id: 'Publication' });

export const publicationResponseSchema = z.object({ publication: publicationSchema }).meta({ id: 'PublicationResponse' });

export const publicationPageSchema = z
  .object({ publications: z.array(publicationSchema), next_cursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last') })
  .meta({ id: 'PublicationPage' });

export const normalizedResultSchema = z
  .object({
    attempt_number: z.int(),
    source_snapshot_ids: z.array(z.string()).describe('The snapshots parse read'),
    source_snapshot_hash: z.string(),
    normalized_hash: z.string(),
    parser_version: z.string(),
    normalizer_version: z.string(),
    record_count: z.int(),
    decision: z.enum(PUBLICATION_DECISIONS),
    classification: z.enum(CHANGE_CLASSIFICATIONS),
    reason: z.string(),
  })
  .meta({ id: 'NormalizedResult' });

export const snapshotSchema = z
  .object({
    id: z.string(),
    job_id: z.string(),
    attempt_number: z.int(),
    resource_type: z.string(),
    resource_key: z.string(),
    method: z.string(),
    url: z.string(),
    status: z.int(),
    not_modified: z.boolean().describe('A 304: the body is the earlier snapshot\'s, not stored again'),
    truncated: z.boolean().describe('The body is only what arrived before the fetch deadline cut it off'),
    etag: z.string().nullable(),
    last_modified: z.string().nullable(),
    content_type: z.string().nullable(),
    size: z.int(),
    sha256: z.string(),
    fetched_at: instant,
  })
  .meta({ id: 'Snapshot' });

export const snapshotListSchema = z.object({ snapshots: z.array(snapshotSchema) }).meta({ id: 'SnapshotList' });

export function publicationResource(p: PublicationRecord): z.infer<typeof publicationSchema> {
  const publishedAt = p.publishedAt.toISOString();
  return {
    id: p.id,
    job_id: p.jobId,
    pipeline: p.pipeline,
    scope_key: p.scopeKey,
    scope: p.scope,
    version: p.version,
    supersedes: p.supersedes,
    source_snapshot_hash: p.sourceSnapshotHash,
    normalized_hash: p.normalizedHash,
    envelope_hash: p.envelopeHash,
    decision: p.decision,
    classification: p.classification,
    reason: p.reason,
    published_at: publishedAt,
    envelope: { ...p.envelope, published_at: publishedAt },
  };
}

export function normalizedResultResource(r: NormalizedResultRecord): z.infer<typeof normalizedResultSchema> {
  return {
    attempt_number: r.attemptNumber,
    source_snapshot_ids: r.sourceSnapshotIds,
    source_snapshot_hash: r.sourceSnapshotHash,
    normalized_hash: r.normalizedHash,
    parser_version: r.parserVersion,
    normalizer_version: r.normalizerVersion,
    record_count: r.recordCount,
    decision: r.decision,
    classification: r.classification,
    reason: r.reason,
  };
}

export function snapshotResource(s: SnapshotRecord): z.infer<typeof snapshotSchema> {
  return {
    id: s.id,
    job_id: s.jobId,
    attempt_number: s.attemptNumber,
    resource_type: s.resourceType,
    resource_key: s.resourceKey,
    method: s.method,
    url: s.url,
    status: s.status,
    not_modified: s.notModified,
    truncated: s.truncated,
    etag: s.etag,
    last_modified: s.lastModified,
    content_type: s.contentType,
    size: s.size,
    sha256: s.sha256,
    fetched_at: s.fetchedAt.toISOString(),
  };
}
