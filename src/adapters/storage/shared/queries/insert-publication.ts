import { sql } from 'drizzle-orm';
import type { IngestionResultInput } from '../../../../core/ingestion-store.js';
import type { PublicationDecision } from '../../../../core/publication-decision.js';
import type { PublicationEnvelope, PublicationPlacement } from '../../../../core/publication-envelope.js';
import type { SqlDialect } from '../sql-dialect.js';
import type { SqlSession } from '../sql-database.js';

/**
 * Stores a publication under the scope's publication lock; returns its id. The envelope as stored
 * leaves out delivery metadata (published_at), as its hash does.
 */
export async function insertPublication(
  s: SqlSession,
  d: SqlDialect,
  placement: PublicationPlacement,
  input: IngestionResultInput,
  decision: PublicationDecision,
  published: PublicationEnvelope,
): Promise<string> {
  const rows = await s.all<{ id: unknown }>(sql`
    INSERT INTO published_results (job_id, pipeline, scope_key, scope, version, supersedes, source_snapshot_hash,
      normalized_hash, envelope_hash, publication_decision, publication_reason, change_classification, envelope, published_at)
    VALUES (${d.id(placement.jobId)}, ${placement.pipeline}, ${placement.scopeKey}, ${d.json(input.scope)}, ${placement.version},
      ${placement.supersedes === null ? null : d.id(placement.supersedes)}, ${input.sourceSnapshotHash}, ${input.normalizedHash}, ${published.hash},
      ${decision.decision}, ${decision.reason}, ${decision.classification}, ${d.json(published.envelope)}, ${s.now})
    RETURNING id`);
  const id = rows[0]?.id;
  if (typeof id !== 'string' && typeof id !== 'number' && typeof id !== 'bigint') throw new Error('the publication insert returned no id');
  return String(id);
}
