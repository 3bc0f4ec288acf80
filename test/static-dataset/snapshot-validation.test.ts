import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_LISTED_PROBLEMS, validateSnapshotDocument } from '../../src/adapters/static-dataset/snapshot/validate-snapshot.js';
import { LARGE_SNAPSHOT_PATH, largeSnapshotText } from '../support/large-snapshot.js';
import { encode, invalidSnapshotFixtures, snapshotBytes, validSnapshot } from './snapshot-fixtures.js';

describe('static snapshot validation', () => {
  it('accepts the valid fixtures, nulls where the format allows them included', () => {
    const small = validSnapshot('small');
    expect(small.source_name).toBe('northern-scouting');
    expect(small.records).toHaveLength(8);
    const unknownPlayer = small.records.find((r) => r.player_external_id === 'p-1005');
    expect(unknownPlayer).toMatchObject({ first_name: null, birth_date: null, height_cm: null, games_played: 0, points_per_game: null, fg_pct: null });
    expect(validSnapshot('large').records.length).toBeGreaterThan(300);
  });

  it('keeps the large fixture equal to what its generator writes', () => {
    expect(readFileSync(LARGE_SNAPSHOT_PATH, 'utf8')).toBe(largeSnapshotText());
  });

  const fixtures = invalidSnapshotFixtures();
  it('has an invalid fixture for every kind of mistake', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(20);
  });

  it.each(fixtures.map((f) => [f.name, f] as const))('%s: lists exactly the expected problems', (_name, fixture) => {
    const result = validateSnapshotDocument(fixture.bytes);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems).toEqual(fixture.expected);
  });

  it('calls only JSON whitespace empty', () => {
    expect(validateSnapshotDocument(new TextEncoder().encode(' \n\t\r '))).toEqual({ ok: false, problems: [{ path: '$', message: 'is empty: a snapshot is one JSON object' }] });
    expect(validateSnapshotDocument(new TextEncoder().encode('\u00a0'))).toEqual({
      ok: false,
      problems: [{ path: '$', message: 'is not valid JSON: "\u00a0" where a value was expected (line 1, column 1)' }],
    });
  });

  it('reads a file that starts with a byte order mark like one without', () => {
    const plain = snapshotBytes('valid/small.json');
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...plain]);
    const result = validateSnapshotDocument(withBom);
    expect(result).toEqual(validateSnapshotDocument(plain));
    expect(result.ok).toBe(true);
  });

  it('accepts a record of JSON text in any layout and any key order', () => {
    const small = validSnapshot('small');
    const reordered = Object.fromEntries(Object.entries(small).reverse());
    const result = validateSnapshotDocument(encode(reordered));
    expect(result).toEqual({ ok: true, document: small });
  });

  it(`lists at most ${MAX_LISTED_PROBLEMS} problems and says how many more there were`, () => {
    const row = validSnapshot('small').records[0]!;
    // Three problems per row: two out of range, one unknown field.
    const records = Array.from({ length: 400 }, (_, i) => ({ ...row, player_external_id: `p-${i}`, fg_pct: 101, games_played: -1, extra: true }));
    const result = validateSnapshotDocument(encode({ ...validSnapshot('small'), records }));
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems).toHaveLength(MAX_LISTED_PROBLEMS + 1);
    expect(problems[0]).toEqual({ path: '$.records[0].games_played', message: 'must be at least 0' });
    expect(problems[MAX_LISTED_PROBLEMS]).toEqual({ path: '$', message: `has 200 more problems not listed here (only the first ${MAX_LISTED_PROBLEMS} are)` });
  });

  it('reports rows disagreeing even when other rows have problems of their own', () => {
    const [first, second] = validSnapshot('small').records;
    const records = [first, { ...second!, games_played: -3 }, { ...first!, season: '2024-2025', team_name: 'Herons' }];
    const result = validateSnapshotDocument(encode({ ...validSnapshot('small'), records }));
    expect(result.ok ? [] : result.problems).toEqual([
      { path: '$.records[1].games_played', message: 'must be at least 0' },
      { path: '$.records[2].team_name', message: 'team "t-herons" has team_name "Herons" here but "Harbor Herons" at $.records[0].team_name' },
    ]);
  });

  it('names an oddly spelled unknown field so the path still points at it', () => {
    const result = validateSnapshotDocument(encode({ ...validSnapshot('small'), 'generated at': 'now' }));
    expect(result.ok ? [] : result.problems).toEqual([{ path: '$["generated at"]', message: 'is not a field of the snapshot format' }]);
    const withProto = new TextEncoder().encode(JSON.stringify(validSnapshot('small')).replace(/^\{/, '{"__proto__": {"x": 1},'));
    const protoResult = validateSnapshotDocument(withProto);
    expect(protoResult.ok ? [] : protoResult.problems).toEqual([{ path: '$.__proto__', message: 'is not a field of the snapshot format' }]);
  });

  it('answers nesting far deeper than any real file with problems, not a crash', () => {
    const depth = 200_000;
    const deepArray = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    expect(validateSnapshotDocument(new TextEncoder().encode(deepArray))).toEqual({ ok: false, problems: [{ path: '$', message: 'must be a JSON object, not an array' }] });
    const text = JSON.stringify({ ...validSnapshot('small'), raw_payload: 'deep' }).replace('"raw_payload":"deep"', `"raw_payload":{"deep":${deepArray}}`);
    const result = validateSnapshotDocument(new TextEncoder().encode(text));
    expect(result.ok ? [] : result.problems).toEqual([{ path: expect.stringMatching(/^\$\.raw_payload\.deep(\[0\])+$/) as unknown, message: 'nests deeper than 32 levels' }]);
  });
});
