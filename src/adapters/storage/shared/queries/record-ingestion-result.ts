import type { IngestionResultInput } from '../../../../core/ingestion-store.js';
import type { JobLease } from '../../../../core/job.js';
import { decidePublication, type PublicationDecision } from '../../../../core/publication-decision.js';
import { buildPublicationEnvelope, envelopeContent, type PublicationPlacement } from '../../../../core/publication-envelope.js';
import type { SqlDialect } from '../sql-dialect.js';
import type { SqlSession } from '../sql-database.js';
import { insertOutboxEvent } from './insert-outbox-event.js';
import { insertPublication } from './insert-publication.js';
import { publicationLockKey } from './lock-publication-scope.js';
import { latestPublication } from './publication-reads.js';
import { upsertNormalizedResult } from './upsert-normalized-result.js';

/**
 * Inside the success settle's transaction, after the fence and with the scope's publication lock
 * (lockPublicationScope, taken before the fence): compare with the scope's latest publication,
 * record the normalized result and the decision, and publish the next version, announced in the
 * outbox, when the decision says so. Two jobs of one scope take turns, so the same change is never
 * published twice.
 */
export async function recordIngestionResult(
  s: SqlSession,
  d: SqlDialect,
  lease: JobLease,
  job: { pipeline: string; scopeKey: string },
  input: IngestionResultInput,
): Promise<PublicationDecision & { version: number | null }> {
  // Held already unless the caller skipped it; taking it again in the same transaction is free.
  await d.lockScope(s, publicationLockKey(job.pipeline, job.scopeKey));
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
  const published = buildPublicationEnvelope(placement, input, decision, changes);
  const publicationId = await insertPublication(s, d, placement, input, decision, published);
  await insertOutboxEvent(s, d, { id: publicationId, placement, scope: input.scope, envelopeHash: published.hash });
  return { ...decision, version: placement.version };
}
