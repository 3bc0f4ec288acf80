import type { JsonObject, JsonValue } from '../../../core/job.js';
import type { NormalizedContent } from '../../../core/pipeline.js';
import type { SnapshotDocument } from './validate-snapshot.js';

/**
 * A validated snapshot as published: its competitions, seasons, teams, players and player-season
 * stats keyed by their external ids, with the snapshot date. (A minimal version: the full mapping
 * lives with the file format.)
 */
export function normalizeSnapshot(document: SnapshotDocument): NormalizedContent {
  const competitions: Record<string, JsonValue> = {};
  const teams: Record<string, JsonValue> = {};
  const players: Record<string, JsonValue> = {};
  const seasons = new Set<string>();
  const records: JsonObject[] = [];
  for (const row of document.records) {
    const competition = text(row.competition_external_id);
    const team = text(row.team_external_id);
    const player = text(row.player_external_id);
    competitions[competition] = { external_id: competition, name: row.competition_name ?? null };
    teams[team] = { external_id: team, name: row.team_name ?? null };
    players[player] = { external_id: player, full_name: row.full_name ?? null, birth_date: row.birth_date ?? null };
    seasons.add(text(row.season));
    records.push({ competition_external_id: competition, season: text(row.season), team_external_id: team, player_external_id: player });
  }
  return {
    source_name: document.source_name,
    snapshot_date: document.snapshot_date,
    competitions: sortedValues(competitions),
    seasons: [...seasons].sort(),
    teams: sortedValues(teams),
    players: sortedValues(players),
    records,
  };
}

function sortedValues(byId: Record<string, JsonValue>): JsonValue[] {
  return Object.keys(byId).sort().map((id) => byId[id] ?? null);
}

function text(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}
