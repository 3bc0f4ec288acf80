import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { envelopeHash, normalizedHash, sourceSnapshotHash, withoutVolatileFields } from '../../src/core/content-hashes.js';

function shuffleKeys(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((v) => shuffleKeys(v, seed));
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    const rotated = entries.length === 0 ? entries : [...entries.slice(seed % entries.length), ...entries.slice(0, seed % entries.length)];
    return Object.fromEntries(rotated.map(([k, v]) => [k, shuffleKeys(v, seed + 1)]));
  }
  return value;
}

describe('content hashes', () => {
  it('normalized_hash ignores key order at any depth', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(10), (value, seed) => {
        expect(normalizedHash(shuffleKeys(value, seed))).toBe(normalizedHash(value));
      }),
    );
  });

  it('normalized_hash ignores volatile fields but not content', () => {
    const base = { records: [{ id: 1, name: 'Ana', snapshot_id: '10', nested: { fetched_at: '2026-01-01T00:00:00Z', belt: 'blue' } }], job_id: '5' };
    const rerun = { records: [{ id: 1, name: 'Ana', snapshot_id: '99', nested: { fetched_at: '2026-06-01T00:00:00Z', belt: 'blue' } }], job_id: '77' };
    expect(normalizedHash(rerun)).toBe(normalizedHash(base));
    expect(normalizedHash({ ...base, records: [{ ...base.records[0], name: 'Ana ' }] })).not.toBe(normalizedHash(base));
    expect(withoutVolatileFields(base)).toEqual({ records: [{ id: 1, name: 'Ana', nested: { belt: 'blue' } }] });
  });

  it('hashes a `__proto__` key from parsed JSON as the key it is', () => {
    // JSON.parse makes `__proto__` an own key; it must neither throw nor vanish from the hash.
    const withKey = JSON.parse('{"name": "Ana", "__proto__": {"belt": "blue"}}') as unknown;
    const withNull = JSON.parse('{"name": "Ana", "__proto__": null}') as unknown;
    expect(normalizedHash(withKey)).not.toBe(normalizedHash({ name: 'Ana' }));
    expect(normalizedHash(withNull)).not.toBe(normalizedHash({ name: 'Ana' }));
    expect(Object.keys(withoutVolatileFields(withKey) as object)).toEqual(['name', '__proto__']);
  });

  it('tells apart values that differ only in unicode form, number value or nesting', () => {
    expect(normalizedHash({ name: 'Jos\u00e9' })).not.toBe(normalizedHash({ name: 'Jose\u0301' }));
    expect(normalizedHash({ n: 1 })).toBe(normalizedHash({ n: 1.0 }));
    expect(normalizedHash({ n: 1 })).not.toBe(normalizedHash({ n: '1' }));
    expect(normalizedHash({ a: { b: 1 } })).not.toBe(normalizedHash({ a: [{ b: 1 }] }));
    expect(normalizedHash([1, 2])).not.toBe(normalizedHash([2, 1]));
  });

  it('source_snapshot_hash depends on the set of snapshots, not their order', () => {
    const snapshots = fc.array(fc.record({ resourceType: fc.string(), resourceKey: fc.string(), sha256: fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }) }), { maxLength: 8 });
    fc.assert(
      fc.property(snapshots, (list) => {
        expect(sourceSnapshotHash([...list].reverse())).toBe(sourceSnapshotHash(list));
      }),
    );
    const one = { resourceType: 'page', resourceKey: '1', sha256: 'a'.repeat(64) };
    expect(sourceSnapshotHash([one])).not.toBe(sourceSnapshotHash([{ ...one, sha256: 'b'.repeat(64) }]));
    expect(sourceSnapshotHash([one])).not.toBe(sourceSnapshotHash([{ ...one, resourceKey: '2' }]));
  });

  it('envelope_hash covers lineage but not delivery metadata', () => {
    const envelope = { version: 2, supersedes: '7', normalized_hash: 'n', content: { records: [] } };
    expect(envelopeHash({ ...envelope, published_at: '2026-11-22T00:00:00Z' })).toBe(envelopeHash(envelope));
    expect(envelopeHash({ ...envelope, supersedes: '8' })).not.toBe(envelopeHash(envelope));
  });
});
