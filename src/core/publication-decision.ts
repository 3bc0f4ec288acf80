/** Why an execution was, or was not, a new effective publication. */
export const CHANGE_CLASSIFICATIONS = ['REPUBLISH_FORCED', 'NO_CHANGE', 'NORMALIZATION_CHANGED', 'CONTENT_CHANGED'] as const;
export type ChangeClassification = (typeof CHANGE_CLASSIFICATIONS)[number];

export const PUBLICATION_DECISIONS = ['PUBLISH_FORCED', 'SKIP_NO_CHANGE', 'PUBLISH_CHANGED'] as const;
export type PublicationDecisionKind = (typeof PUBLICATION_DECISIONS)[number];

export interface PublicationDecision {
  decision: PublicationDecisionKind;
  classification: ChangeClassification;
  /** One sentence for a person reading the record. */
  reason: string;
  publish: boolean;
}

export interface DecisionInput {
  forced: boolean;
  sourceSnapshotHash: string;
  normalizedHash: string;
  /** The latest effective publication of the same (pipeline, scope_key), if any. */
  latest: { version: number; sourceSnapshotHash: string; normalizedHash: string } | null;
}

/**
 * The publication rule, as a pure function of hashes:
 * forced -> publish; same normalized content -> skip; same source but different normalized content
 * (our parser or normalizer changed) -> publish as NORMALIZATION_CHANGED; otherwise -> publish as
 * CONTENT_CHANGED (including the first publication of a scope).
 */
export function decidePublication(input: DecisionInput): PublicationDecision {
  const { latest } = input;
  if (input.forced) {
    return {
      decision: 'PUBLISH_FORCED',
      classification: 'REPUBLISH_FORCED',
      reason: latest === null ? 'forced; no earlier publication' : `forced over version ${latest.version}`,
      publish: true,
    };
  }
  if (latest === null) {
    return { decision: 'PUBLISH_CHANGED', classification: 'CONTENT_CHANGED', reason: 'first publication of this scope', publish: true };
  }
  if (latest.normalizedHash === input.normalizedHash) {
    return {
      decision: 'SKIP_NO_CHANGE',
      classification: 'NO_CHANGE',
      reason: `normalized content equals version ${latest.version}`,
      publish: false,
    };
  }
  if (latest.sourceSnapshotHash === input.sourceSnapshotHash) {
    return {
      decision: 'PUBLISH_CHANGED',
      classification: 'NORMALIZATION_CHANGED',
      reason: `same source as version ${latest.version}, different normalized content: parsing or normalization changed`,
      publish: true,
    };
  }
  return {
    decision: 'PUBLISH_CHANGED',
    classification: 'CONTENT_CHANGED',
    reason: `source and normalized content changed since version ${latest.version}`,
    publish: true,
  };
}
