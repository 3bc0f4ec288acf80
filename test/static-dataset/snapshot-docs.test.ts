import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalizeSnapshot } from '../../src/adapters/static-dataset/snapshot/normalize-snapshot.js';
import { validateSnapshotDocument } from '../../src/adapters/static-dataset/snapshot/validate-snapshot.js';
import { PROJECT_ROOT } from '../support/run-app.js';
import { snapshotBytes, validSnapshot } from './snapshot-fixtures.js';

const page = readFileSync(`${PROJECT_ROOT}docs/static-dataset-records.md`, 'utf8');
const jsonBlocks = [...page.matchAll(/```json\n([\s\S]*?)\n```/g)].map((m) => JSON.parse(m[1]!) as unknown);

describe('docs/static-dataset-records.md', () => {
  it('shows problems the validator really reports for the fixture it names', () => {
    const result = validateSnapshotDocument(snapshotBytes('invalid/conflicting-facts.json'));
    expect(result.ok).toBe(false);
    const shown = jsonBlocks[0] as unknown[];
    expect(shown.length).toBeGreaterThan(0);
    expect(result.ok ? [] : result.problems).toEqual(expect.arrayContaining(shown));
  });

  it('shows the normalized content the small fixture really publishes', () => {
    const content = normalizeSnapshot(validSnapshot('small'));
    expect(jsonBlocks[1]).toEqual({
      ...content,
      competitions: content.competitions.slice(0, 1),
      seasons: content.seasons.slice(0, 1),
      teams: content.teams.slice(0, 1),
      players: content.players.slice(0, 1),
      records: content.records.slice(0, 1),
    });
  });
});
