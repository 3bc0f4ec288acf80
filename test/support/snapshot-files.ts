import type { JsonObject } from '../../src/core/job.js';

/** One player-season row as a snapshot file carries it; `overrides` change or add fields. */
export function snapshotRow(n: number, overrides: JsonObject = {}): JsonObject {
  return {
    competition_external_id: 'comp-nbl1',
    competition_name: 'Northern Basketball League One',
    season: '2026',
    team_external_id: `team-${n % 3}`,
    team_name: `Harbour Team ${n % 3}`,
    player_external_id: `player-${n}`,
    full_name: `Player Number${n}`,
    first_name: 'Player',
    last_name: `Number${n}`,
    birth_date: '2001-04-17',
    nationality: 'NZ',
    height_cm: 190 + (n % 10),
    weight_kg: 88,
    position: 'G',
    role: null,
    games_played: 18,
    minutes_per_game: 27.5,
    points_per_game: 12.25 + (n % 20),
    rebounds_per_game: 4.5,
    assists_per_game: 3.25,
    steals_per_game: 1.5,
    blocks_per_game: 0.25,
    turnovers_per_game: 2,
    fg_pct: 0.465,
    three_pt_pct: 0.355,
    ft_pct: null,
    source_metadata: { row: n },
    raw_payload: { line: n },
    ...overrides,
  };
}

/** A valid snapshot document of `rows` rows for `source`; `seed` varies its content. */
export function snapshotDocument(source = 'harbour-league', rows = 2, seed = 0): JsonObject {
  return {
    source_name: source,
    snapshot_date: '2026-11-30',
    records: Array.from({ length: rows }, (_, i) => snapshotRow(i + seed)),
    source_metadata: { exported_by: 'league-office', seed },
    raw_payload: {},
  };
}

export function snapshotBytes(document: JsonObject): Buffer {
  return Buffer.from(`${JSON.stringify(document, null, 2)}\n`);
}
