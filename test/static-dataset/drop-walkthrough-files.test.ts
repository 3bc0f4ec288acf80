import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateSnapshotDocument } from '../../src/adapters/static-dataset/snapshot/validate-snapshot.js';
import { PROJECT_ROOT } from '../support/run-app.js';

const read = (name: string) => new Uint8Array(readFileSync(`${PROJECT_ROOT}testdata/static-dataset/drops/${name}`));

/** The files the README's drop folder walkthrough uses say what it says they do. */
describe('the drop folder walkthrough files', () => {
  it('has two valid snapshots of one source, on consecutive days', () => {
    for (const [name, date] of [['harbour-league-2026-11-30.json', '2026-11-30'], ['harbour-league-2026-12-01.json', '2026-12-01']] as const) {
      const result = validateSnapshotDocument(read(name));
      expect(result.ok, name).toBe(true);
      if (result.ok) expect(result.document).toMatchObject({ source_name: 'harbour-league', snapshot_date: date });
    }
  });

  it('has an invalid one whose every problem is named by its JSON path', () => {
    const result = validateSnapshotDocument(read('harbour-league-invalid.json'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.path)).toEqual(
      expect.arrayContaining(['$.snapshot_date', '$.records[0].birth_date', '$.records[1].points_per_game', '$.records[2].jersey', '$.raw_payload']),
    );
  });
});
