import type { IngestionResultInput } from '../../../../core/ingestion-store.js';
import type { JobLease } from '../../../../core/job.js';
import { decidePublication, type PublicationDecision } from '../../../../core/publication-decision.js';
import { buildPublicationEnvelope, envelopeContent, type PublicationPlacement } from '../../../../core/publication-envelope.js';
import type { SqlDialect } from '../sql-dialect.js';
import type { SqlSession } from '../sql-database.js';
import { insertPublication } from './insert-publication.js';
import { latestPublication } from './publication-reads.js';
import { upsertNormalizedResult } from './upsert-normalized-result.js';

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
  const latest = await latestPublication(s, d, job.pipeline, job.scopeKey);
  const decision = decidePublication({ forced: input.forced, sourceSnapshotHash: input.sourceSnapshotHash, normalizedHash: input.normalizedHash, latest });
  await upsertNormalizedResult(s, d, lease, job, input, decision);
  if (!decision.publish) return { ...decision, version: null };

  const placement: PublicationPlacement = {
    pipeline: job.pipeline,
    scopeKey: job.scopeKey,
    jobId: lease.jobId,
    version: (latest?.version ?? 0) + 1,
    supersedes: latest?.id ?? null,
  };
  // Against the latest publication as it is now, under the lock: the change this version really makes.
  const changes = input.describeChange?.(latest === null ? null : envelopeContent(latest.envelope), input.payload);
  await insertPublication(s, d, placement, input, decision, buildPublicationEnvelope(placement, input, decision, changes));
  return { ...decision, version: placement.version };
}
