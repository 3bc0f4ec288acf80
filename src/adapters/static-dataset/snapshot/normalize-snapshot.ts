import { canonicalJson } from '../../../core/canonical-json.js';
import type { SnapshotDocument, SnapshotRow } from './snapshot-schema.js';

export type NormalizedCompetition = { competition_external_id: string; name: string };
export type NormalizedSeason = { competition_external_id: string; season: string };
export type NormalizedTeam = { team_external_id: string; name: string };
export type NormalizedPlayer = {
  player_external_id: string;
  full_name: string;
  first_name: string | null;
  last_name: string | null;
  birth_date: string | null;
  nationality: string | null;
  height_cm: number | null;
  weight_kg: number | null;
};
/** One player's figures for one team in one season of one competition. */
export type NormalizedPlayerSeason = Pick<
  SnapshotRow,
  | 'competition_external_id'
  | 'season'
  | 'team_external_id'
  | 'player_external_id'
  | 'position'
  | 'role'
  | 'games_played'
  | 'minutes_per_game'
  | 'points_per_game'
  | 'rebounds_per_game'
  | 'assists_per_game'
  | 'steals_per_game'
  | 'blocks_per_game'
  | 'turnovers_per_game'
  | 'fg_pct'
  | 'three_pt_pct'
  | 'ft_pct'
>;

/** What a snapshot publishes: a `NormalizedContent` whose `records` are the player-season rows. */
export type NormalizedSnapshot = {
  source_name: string;
  snapshot_date: string;
  competitions: NormalizedCompetition[];
  seasons: NormalizedSeason[];
  teams: NormalizedTeam[];
  players: NormalizedPlayer[];
  records: NormalizedPlayerSeason[];
};

/**
 * What a snapshot says, as the pipeline publishes it: its competitions, seasons, teams and players
 * once each, keyed by external id, and its player-season rows as `records`. Row order in the file
 * is not content, so everything is sorted by id (by UTF-16 code units, never by locale): the same
 * rows in any order give the same content and so the same hash. The free-form `source_metadata`
 * and `raw_payload` stay in the stored file and are not published (ADR 26).
 *
 * Expects a document `validateSnapshotDocument` accepted; given one whose rows disagree about an
 * id, the first row in sorted order decides, so the result is still deterministic.
 */
export function normalizeSnapshot(document: SnapshotDocument): NormalizedSnapshot {
  const rows = [...document.records].sort(compareRows);
  const competitions = new Map<string, NormalizedCompetition>();
  const seasons = new Map<string, NormalizedSeason>();
  const teams = new Map<string, NormalizedTeam>();
  const players = new Map<string, NormalizedPlayer>();
  const records = new Map<string, NormalizedPlayerSeason>();
  for (const row of rows) {
    if (!competitions.has(row.competition_external_id)) {
      competitions.set(row.competition_external_id, { competition_external_id: row.competition_external_id, name: row.competition_name });
    }
    const seasonKey = JSON.stringify([row.competition_external_id, row.season]);
    if (!seasons.has(seasonKey)) seasons.set(seasonKey, { competition_external_id: row.competition_external_id, season: row.season });
    if (!teams.has(row.team_external_id)) teams.set(row.team_external_id, { team_external_id: row.team_external_id, name: row.team_name });
    if (!players.has(row.player_external_id)) players.set(row.player_external_id, playerOf(row));
    const recordKey = JSON.stringify(rowKey(row));
    if (!records.has(recordKey)) records.set(recordKey, playerSeasonOf(row));
  }
  return {
    source_name: document.source_name,
    snapshot_date: document.snapshot_date,
    competitions: [...competitions.values()].sort((a, b) => compareText(a.competition_external_id, b.competition_external_id)),
    seasons: [...seasons.values()],
    teams: [...teams.values()].sort((a, b) => compareText(a.team_external_id, b.team_external_id)),
    players: [...players.values()].sort((a, b) => compareText(a.player_external_id, b.player_external_id)),
    records: [...records.values()],
  };
}

function playerOf(row: SnapshotRow): NormalizedPlayer {
  return {
    player_external_id: row.player_external_id,
    full_name: row.full_name,
    first_name: row.first_name,
    last_name: row.last_name,
    birth_date: row.birth_date,
    nationality: row.nationality,
    height_cm: row.height_cm,
    weight_kg: row.weight_kg,
  };
}

function playerSeasonOf(row: SnapshotRow): NormalizedPlayerSeason {
  return {
    competition_external_id: row.competition_external_id,
    season: row.season,
    team_external_id: row.team_external_id,
    player_external_id: row.player_external_id,
    position: row.position,
    role: row.role,
    games_played: row.games_played,
    minutes_per_game: row.minutes_per_game,
    points_per_game: row.points_per_game,
    rebounds_per_game: row.rebounds_per_game,
    assists_per_game: row.assists_per_game,
    steals_per_game: row.steals_per_game,
    blocks_per_game: row.blocks_per_game,
    turnovers_per_game: row.turnovers_per_game,
    fg_pct: row.fg_pct,
    three_pt_pct: row.three_pt_pct,
    ft_pct: row.ft_pct,
  };
}

function rowKey(row: SnapshotRow): string[] {
  return [row.competition_external_id, row.season, row.team_external_id, row.player_external_id];
}

/** Rows by competition, season, team and player, then by their whole content, so ties cannot depend on file order. */
function compareRows(a: SnapshotRow, b: SnapshotRow): number {
  const keyA = rowKey(a);
  const keyB = rowKey(b);
  for (let i = 0; i < keyA.length; i += 1) {
    const order = compareText(keyA[i]!, keyB[i]!);
    if (order !== 0) return order;
  }
  return compareText(canonicalJson(a), canonicalJson(b));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
