import { sql } from 'drizzle-orm';
import { envelopeHash } from '../../../../core/content-hashes.js';
import type { IngestionResultInput } from '../../../../core/ingestion-store.js';
import type { JobLease, JsonObject } from '../../../../core/job.js';
import { decidePublication, type PublicationDecision } from '../../../../core/publication-decision.js';
import { publicationFromRow } from '../ingestion-rows.js';
import type { Row } from '../job-rows.js';
import type { SqlDialect } from '../sql-dialect.js';
import type { SqlSession } from '../sql-database.js';

/**
 * Inside the success settle's transaction, after the fence: take the scope's publication lock,
 * compare with its latest publication, record the normalized result and the decision, and publish
 * the next version when the decision says so. Two jobs of one scope take turns here, so the same
 * change is never published twice.
 */
export async function recordIngestionResult(
  s: SqlSession,
  d: SqlDialect,
  lease: JobLease,
  job: { pipeline: string; scopeKey: string },
  input: IngestionResultInput,
): Promise<PublicationDecision & { version: number | null }> {
  await d.lockScope(s, `${job.pipeline}\n${job.scopeKey}`);
  const latestRows = await s.all<Row>(sql`
    SELECT * FROM published_results WHERE pipeline = ${job.pipeline} AND scope_key = ${job.scopeKey}
    ORDER BY version DESC LIMIT 1`);
  const latest = latestRows[0] === undefined ? null : publicationFromRow(latestRows[0], d);
  const decision = decidePublication({ forced: input.forced, sourceSnapshotHash: input.sourceSnapshotHash, normalizedHash: input.normalizedHash, latest });

  const result = sql`${d.jsonArray(input.sourceSnapshotIds)}, ${input.sourceSnapshotHash}, ${input.normalizedHash}, ${input.parserVersion}, ${input.normalizerVersion},
    ${d.json(input.payload)}, ${input.payload.records.length}, ${decision.decision}, ${decision.reason}, ${decision.classification}`;
  await s.run(sql`
    INSERT INTO normalized_results (job_id, attempt_number, pipeline, scope_key, source_snapshot_ids, source_snapshot_hash, normalized_hash,
      parser_version, normalizer_version, payload, record_count, publication_decision, publication_reason,
      change_classification, created_at, updated_at)
    VALUES (${d.id(lease.jobId)}, ${lease.attemptNumber}, ${job.pipeline}, ${job.scopeKey}, ${result}, ${s.now}, ${s.now})
    ON CONFLICT (job_id) DO UPDATE SET attempt_number = excluded.attempt_number, source_snapshot_ids = excluded.source_snapshot_ids,
      source_snapshot_hash = excluded.source_snapshot_hash, normalized_hash = excluded.normalized_hash,
      parser_version = excluded.parser_version, normalizer_version = excluded.normalizer_version,
      payload = excluded.payload, record_count = excluded.record_count,
      publication_decision = excluded.publication_decision, publication_reason = excluded.publication_reason,
      change_classification = excluded.change_classification, updated_at = excluded.updated_at`);
  if (!decision.publish) return { ...decision, version: null };

  const version = (latest?.version ?? 0) + 1;
  const envelope: JsonObject = {
    pipeline: job.pipeline,
    scope_key: job.scopeKey,
    scope: input.scope,
    version,
    supersedes: latest?.id ?? null,
    job_id: lease.jobId,
    source_snapshot_ids: input.sourceSnapshotIds,
    source_snapshot_hash: input.sourceSnapshotHash,
    normalized_hash: input.normalizedHash,
    parser_version: input.parserVersion,
    normalizer_version: input.normalizerVersion,
    decision: decision.decision,
    classification: decision.classification,
    content: input.payload,
  };
  // The envelope as stored leaves out delivery metadata (published_at), as its hash does.
  await s.run(sql`
    INSERT INTO published_results (job_id, pipeline, scope_key, scope, version, supersedes, source_snapshot_hash,
      normalized_hash, envelope_hash, publication_decision, publication_reason, change_classification, envelope, published_at)
    VALUES (${d.id(lease.jobId)}, ${job.pipeline}, ${job.scopeKey}, ${d.json(input.scope)}, ${version},
      ${latest === null ? null : d.id(latest.id)}, ${input.sourceSnapshotHash}, ${input.normalizedHash}, ${envelopeHash(envelope)},
      ${decision.decision}, ${decision.reason}, ${decision.classification}, ${d.json(envelope)}, ${s.now})`);
  return { ...decision, version };
}
