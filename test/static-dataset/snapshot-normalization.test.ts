import { describe, expect, it } from 'vitest';
import type { NormalizedContent } from '../../src/core/pipeline.js';
import { normalizedHash } from '../../src/core/content-hashes.js';
import { normalizeSnapshot } from '../../src/adapters/static-dataset/snapshot/normalize-snapshot.js';
import { validSnapshot } from './snapshot-fixtures.js';

describe('static snapshot normalization', () => {
  const small = normalizeSnapshot(validSnapshot('small'));

  it('is content a pipeline can publish: records plus JSON values', () => {
    const content: NormalizedContent = small;
    expect(content.records).toBe(small.records);
  });

  it('publishes each competition, season, team and player once, keyed and sorted by external id', () => {
    expect(small.source_name).toBe('northern-scouting');
    expect(small.snapshot_date).toBe('2026-01-15');
    expect(small.competitions).toEqual([
      { competition_external_id: 'coastal-cup', name: 'Coastal Summer Cup' },
      { competition_external_id: 'nbl', name: 'Northern Basketball League' },
    ]);
    expect(small.seasons).toEqual([
      { competition_external_id: 'coastal-cup', season: '2025' },
      { competition_external_id: 'nbl', season: '2025-2026' },
    ]);
    expect(small.teams.map((t) => t.team_external_id)).toEqual(['t-foxes', 't-herons', 't-owls']);
    expect(small.players.map((p) => p.player_external_id)).toEqual(['p-1001', 'p-1002', 'p-1003', 'p-1004', 'p-1005', 'p-2001']);
    expect(small.players.find((p) => p.player_external_id === 'p-1005')).toEqual({
      player_external_id: 'p-1005',
      full_name: 'Nuno',
      first_name: null,
      last_name: null,
      birth_date: null,
      nationality: null,
      height_cm: null,
      weight_kg: null,
    });
  });

  it('keeps one record per player-season, a traded player once per team, without the free-form source data', () => {
    expect(small.records).toHaveLength(8);
    const traded = small.records.filter((r) => r.player_external_id === 'p-1004');
    expect(traded.map((r) => [r.team_external_id, r.role, r.games_played])).toEqual([
      ['t-herons', 'bench', 8],
      ['t-owls', 'starter', 6],
    ]);
    expect(small.records[0]).toEqual({
      competition_external_id: 'coastal-cup',
      season: '2025',
      team_external_id: 't-foxes',
      player_external_id: 'p-1001',
      position: 'PG',
      role: 'starter',
      games_played: 5,
      minutes_per_game: 33,
      points_per_game: 21.4,
      rebounds_per_game: 4.2,
      assists_per_game: 7.6,
      steals_per_game: 2,
      blocks_per_game: 0.4,
      turnovers_per_game: 3.2,
      fg_pct: 47,
      three_pt_pct: 39.5,
      ft_pct: 84.2,
    });
    expect(JSON.stringify(small)).not.toMatch(/source_metadata|raw_payload/);
  });

  it('gives the same content and hash whatever the row order, and a different hash when a figure changes', () => {
    const document = validSnapshot('large');
    const reversed = normalizeSnapshot({ ...document, records: [...document.records].reverse() });
    const original = normalizeSnapshot(document);
    expect(reversed).toEqual(original);
    expect(normalizedHash(reversed)).toBe(normalizedHash(original));
    const corrected = document.records.map((row, i) => (i === 0 ? { ...row, games_played: row.games_played + 1 } : row));
    expect(normalizedHash(normalizeSnapshot({ ...document, records: corrected }))).not.toBe(normalizedHash(original));
  });

  it('ignores the free-form source data when hashing: a file re-exported with new metadata is the same content', () => {
    const document = validSnapshot('small');
    const reexported = {
      ...document,
      source_metadata: { exported_by: 'nightly job', format_version: 2 },
      records: document.records.map((row) => ({ ...row, raw_payload: { note: 'resent' } })),
    };
    expect(normalizedHash(normalizeSnapshot(reexported))).toBe(normalizedHash(normalizeSnapshot(document)));
    expect(normalizedHash(normalizeSnapshot({ ...document, snapshot_date: '2026-01-16' }))).not.toBe(normalizedHash(normalizeSnapshot(document)));
  });
});
