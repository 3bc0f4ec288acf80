import { describe, expect, it } from 'vitest';
import { envelopeHash } from '../../src/core/content-hashes.js';
import type { IngestionResultInput } from '../../src/core/ingestion-store.js';
import { buildPublicationEnvelope } from '../../src/core/publication-envelope.js';
import type { PublicationDecision } from '../../src/core/publication-decision.js';

const result: IngestionResultInput = {
  scope: { name: 'alpha' },
  sourceSnapshotIds: ['4', '5'],
  sourceSnapshotHash: 'a'.repeat(64),
  normalizedHash: 'b'.repeat(64),
  parserVersion: '1',
  normalizerVersion: '2',
  payload: { records: [{ id: 1 }] },
  forced: false,
};
const decision: PublicationDecision = { decision: 'PUBLISH_CHANGED', classification: 'CONTENT_CHANGED', reason: 'changed', publish: true };
const placement = { pipeline: 'test.pipeline', scopeKey: '{"name":"alpha"}', jobId: '9', version: 2, supersedes: '7' };

describe('publication envelope', () => {
  it('carries lineage and content, and its hash is the envelope hash', () => {
    const { envelope, hash } = buildPublicationEnvelope(placement, result, decision);
    expect(envelope).toEqual({
      pipeline: 'test.pipeline',
      scope_key: '{"name":"alpha"}',
      scope: { name: 'alpha' },
      version: 2,
      supersedes: '7',
      job_id: '9',
      source_snapshot_ids: ['4', '5'],
      source_snapshot_hash: 'a'.repeat(64),
      normalized_hash: 'b'.repeat(64),
      parser_version: '1',
      normalizer_version: '2',
      decision: 'PUBLISH_CHANGED',
      classification: 'CONTENT_CHANGED',
      content: { records: [{ id: 1 }] },
    });
    expect(hash).toBe(envelopeHash(envelope));
  });

  it('includes described changes, which change the hash', () => {
    const plain = buildPublicationEnvelope(placement, result, decision);
    const described = buildPublicationEnvelope(placement, result, decision, { added: [1] });
    expect(described.envelope.changes).toEqual({ added: [1] });
    expect(described.hash).not.toBe(plain.hash);
    expect(buildPublicationEnvelope(placement, result, decision, { added: [1] }).hash).toBe(described.hash);
  });
});
