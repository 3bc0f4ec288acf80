import { envelopeHash } from './content-hashes.js';
import type { IngestionResultInput } from './ingestion-store.js';
import type { JsonObject } from './job.js';
import type { NormalizedContent } from './pipeline.js';
import type { PublicationDecision } from './publication-decision.js';

/** Where a new publication sits: its scope, its version and the publication it supersedes. */
export interface PublicationPlacement {
  pipeline: string;
  scopeKey: string;
  jobId: string;
  version: number;
  supersedes: string | null;
}

export interface PublicationEnvelope {
  /** What is stored and delivered: lineage and content, without delivery metadata. */
  envelope: JsonObject;
  /** sha256 of the canonical envelope (content-hashes.ts). */
  hash: string;
}

/**
 * The envelope of a publication and its hash, as a pure function of what was decided and produced.
 * `changes`, when the pipeline describes its changes, is part of the envelope and so of its hash.
 */
export function buildPublicationEnvelope(
  placement: PublicationPlacement,
  result: IngestionResultInput,
  decision: PublicationDecision,
  changes?: JsonObject,
): PublicationEnvelope {
  const envelope: JsonObject = {
    pipeline: placement.pipeline,
    scope_key: placement.scopeKey,
    scope: result.scope,
    version: placement.version,
    supersedes: placement.supersedes,
    job_id: placement.jobId,
    source_snapshot_ids: result.sourceSnapshotIds,
    source_snapshot_hash: result.sourceSnapshotHash,
    normalized_hash: result.normalizedHash,
    parser_version: result.parserVersion,
    normalizer_version: result.normalizerVersion,
    decision: decision.decision,
    classification: decision.classification,
    ...(changes === undefined ? {} : { changes }),
    content: result.payload,
  };
  return { envelope, hash: envelopeHash(envelope) };
}

/** The normalized content a stored envelope carries, or null when it carries none. */
export function envelopeContent(envelope: JsonObject): NormalizedContent | null {
  const content = envelope.content;
  if (typeof content !== 'object' || content === null || Array.isArray(content) || !Array.isArray(content.records)) return null;
  return content as NormalizedContent;
}
