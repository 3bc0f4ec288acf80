import { sql } from 'drizzle-orm';
import type { IngestionResultInput } from '../../../../core/ingestion-store.js';
import type { JobLease } from '../../../../core/job.js';
import type { PublicationDecision } from '../../../../core/publication-decision.js';
import type { SqlDialect } from '../sql-dialect.js';
import type { SqlSession } from '../sql-database.js';

/** Records an execution's normalized result and its decision; one row per job, the latest attempt's. */
export async function upsertNormalizedResult(
  s: SqlSession,
  d: SqlDialect,
  lease: JobLease,
  job: { pipeline: string; scopeKey: string },
  input: IngestionResultInput,
  decision: PublicationDecision,
): Promise<void> {
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
}
