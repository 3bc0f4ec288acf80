import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizedHash } from '../../src/core/content-hashes.js';
import { normalizeSnapshot } from '../../src/adapters/static-dataset/snapshot/normalize-snapshot.js';
import { scanJsonText } from '../../src/adapters/static-dataset/snapshot/scan-json-text.js';
import { validateSnapshotDocument, type SnapshotValidation } from '../../src/adapters/static-dataset/snapshot/validate-snapshot.js';
import { encode, snapshotBytes, validSnapshot } from './snapshot-fixtures.js';

function expectRefused(result: SnapshotValidation): void {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.problems.length).toBeGreaterThan(0);
  for (const problem of result.problems) {
    expect(problem.path).toMatch(/^\$/);
    expect(problem.message).not.toBe('');
  }
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Text mostly made of JSON's own characters, so that it is sometimes JSON and often nearly. */
const jsonish = fc.string({ unit: fc.oneof(fc.constantFrom(...'{}[]:,"\\ \n-+.0123456789eEtruefalsn'.split('')), fc.string({ minLength: 1, maxLength: 1 })) });

describe('static snapshot validation, for any input', () => {
  it('refuses random bytes with problems and never throws', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => expectRefused(validateSnapshotDocument(bytes))));
  });

  it('refuses any JSON value that is not a snapshot', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => expectRefused(validateSnapshotDocument(encode(value)))));
  });

  it('refuses a valid snapshot cut short anywhere, saying it is not JSON', () => {
    const text = new TextDecoder().decode(snapshotBytes('valid/small.json'));
    const end = text.lastIndexOf('}');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: end }), (length) => {
        const result = validateSnapshotDocument(new TextEncoder().encode(text.slice(0, length)));
        expectRefused(result);
        expect(result.ok ? [] : result.problems.map((p) => p.path)).toEqual(['$']);
      }),
    );
  });

  it('agrees with JSON.parse on what is JSON, for near-JSON text and truncated or spliced JSON', () => {
    const spliced = fc.tuple(fc.json(), fc.nat(), fc.nat(), jsonish).map(([json, cut, at, insert]) => {
      const shortened = json.slice(0, cut % (json.length + 1));
      const position = at % (shortened.length + 1);
      return shortened.slice(0, position) + insert + shortened.slice(position);
    });
    fc.assert(
      fc.property(fc.oneof(jsonish, fc.json(), spliced), (text) => {
        expect(scanJsonText(text).syntaxError === undefined).toBe(parses(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws, and words every problem itself, when any field of a valid snapshot is replaced by any JSON value', () => {
    const document = validSnapshot('small');
    const fields = Object.keys(document.records[0]!);
    fc.assert(
      fc.property(fc.nat(document.records.length - 1), fc.constantFrom(...fields), fc.jsonValue(), (index, field, value) => {
        const records = document.records.map((row, i) => (i === index ? { ...row, [field]: value } : row));
        const result = validateSnapshotDocument(encode({ ...document, records }));
        if (result.ok) return;
        for (const problem of result.problems) {
          expect(problem.path).toMatch(/^\$(\.records\[\d+\]|$)/);
          // Our words, never a library default that an upgrade could reword.
          expect(problem.message).not.toMatch(/^(Invalid|Unrecognized|Too (small|big))/);
        }
      }),
    );
  });
});

describe('static snapshot normalization, for any row order', () => {
  it('gives the same content and hash for every shuffle of the rows and of their fields', () => {
    const document = validSnapshot('small');
    const expected = normalizeSnapshot(document);
    fc.assert(
      fc.property(fc.shuffledSubarray(document.records, { minLength: document.records.length }), fc.boolean(), (records, reverseKeys) => {
        const rows = reverseKeys ? records.map((row) => Object.fromEntries(Object.entries(row).reverse())) : records;
        const result = validateSnapshotDocument(encode({ ...document, records: rows }));
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        const normalized = normalizeSnapshot(result.document);
        expect(normalized).toEqual(expected);
        expect(normalizedHash(normalized)).toBe(normalizedHash(expected));
      }),
    );
  });
});
