import { describe, expect, it } from 'vitest';
import { decidePublication } from '../../src/core/publication-decision.js';

const latest = { version: 4, sourceSnapshotHash: 'src-A', normalizedHash: 'norm-A' };

describe('decidePublication: the whole truth table', () => {
  it.each([
    // forced, latest, source, normalized -> decision, classification, publish
    [true, null, 'src-A', 'norm-A', 'PUBLISH_FORCED', 'REPUBLISH_FORCED', true],
    [true, latest, 'src-A', 'norm-A', 'PUBLISH_FORCED', 'REPUBLISH_FORCED', true],
    [true, latest, 'src-B', 'norm-B', 'PUBLISH_FORCED', 'REPUBLISH_FORCED', true],
    [false, null, 'src-A', 'norm-A', 'PUBLISH_CHANGED', 'CONTENT_CHANGED', true],
    [false, latest, 'src-A', 'norm-A', 'SKIP_NO_CHANGE', 'NO_CHANGE', false],
    [false, latest, 'src-B', 'norm-A', 'SKIP_NO_CHANGE', 'NO_CHANGE', false],
    [false, latest, 'src-A', 'norm-B', 'PUBLISH_CHANGED', 'NORMALIZATION_CHANGED', true],
    [false, latest, 'src-B', 'norm-B', 'PUBLISH_CHANGED', 'CONTENT_CHANGED', true],
  ] as const)('forced=%s latest=%o source=%s normalized=%s -> %s / %s', (forced, previous, source, normalized, decision, classification, publish) => {
    const result = decidePublication({ forced, latest: previous, sourceSnapshotHash: source, normalizedHash: normalized });
    expect(result).toMatchObject({ decision, classification, publish });
    expect(result.reason.length).toBeGreaterThan(0);
  });
});
