/**
 * The larger valid static snapshot fixture, made here rather than taken from anywhere: a seeded
 * generator, so the file is the same on every run. `testdata/static-dataset/valid/large.json` is
 * its output; a test holds the two equal. Rewrite the file after changing this generator with
 * `npx tsx test/support/large-snapshot.ts`.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const LARGE_SNAPSHOT_PATH = fileURLToPath(new URL('../../testdata/static-dataset/valid/large.json', import.meta.url));

const SYLLABLES = ['ka', 'ri', 'mo', 'len', 'ta', 'vo', 'si', 'dan', 'el', 'ru', 'no', 'bek', 'ma', 'tis', 'or', 'ja'];
const COUNTRIES = ['SWE', 'POL', 'GHA', 'FRA', 'JPN', 'BRA', 'LTU', 'SRB', 'ESP', 'NGA', 'CAN', 'AUS', null];
const POSITIONS = ['PG', 'SG', 'SF', 'PF', 'C', 'G-F', null];
const TEAM_WORDS = ['Herons', 'Owls', 'Foxes', 'Pines', 'Comets', 'Anchors', 'Lynxes', 'Millers'];
const TOWNS = ['Harbor', 'Granite', 'Valley', 'Northgate', 'Riverside', 'Lakeshore'];
const COMPETITIONS = [
  { id: 'nbl', name: 'Northern Basketball League', seasons: ['2024-2025', '2025-2026'] },
  { id: 'coastal-cup', name: 'Coastal Summer Cup', seasons: ['2025'] },
  { id: 'youth-elite', name: 'Youth Elite Series', seasons: ['2025-2026'] },
];

/** A small seeded generator (an xorshift), enough for fixture variety; not for anything secret. */
function seeded(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
}

export function buildLargeSnapshot(): Record<string, unknown> {
  const random = seeded(20260115);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const between = (low: number, high: number, decimals = 1): number => Number((low + random() * (high - low)).toFixed(decimals));
  const word = (parts: number): string => {
    const text = Array.from({ length: parts }, () => pick(SYLLABLES)).join('');
    return text[0]!.toUpperCase() + text.slice(1);
  };

  const players = Array.from({ length: 240 }, (_, n) => {
    const first = word(2);
    const last = word(3);
    const mononym = n % 37 === 0;
    const year = 1990 + Math.floor(random() * 18);
    const month = 1 + Math.floor(random() * 12);
    const day = 1 + Math.floor(random() * 28);
    return {
      player_external_id: `p-${String(3000 + n)}`,
      full_name: mononym ? first : `${first} ${last}`,
      first_name: mononym ? null : first,
      last_name: mononym ? null : last,
      birth_date: n % 23 === 0 ? null : `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
      nationality: pick(COUNTRIES),
      height_cm: n % 29 === 0 ? null : Math.round(between(172, 221, 0)),
      weight_kg: n % 31 === 0 ? null : Math.round(between(66, 125, 0)),
      position: pick(POSITIONS),
    };
  });
  const teams = TOWNS.flatMap((town, t) => TEAM_WORDS.slice(t, t + 2).map((nickname, k) => ({ id: `t-${String(100 + t * 2 + k)}`, name: `${town} ${nickname}` })));

  const records: Record<string, unknown>[] = [];
  for (const competition of COMPETITIONS) {
    for (const season of competition.seasons) {
      const taken = new Set<string>();
      for (const team of teams) {
        for (let slot = 0; slot < 10; slot += 1) {
          const player = pick(players);
          if (taken.has(player.player_external_id)) continue;
          taken.add(player.player_external_id);
          const games = slot === 9 ? 0 : 1 + Math.floor(random() * 34);
          const played = games > 0;
          const stat = (high: number): number | null => (played ? between(0, high) : null);
          records.push({
            competition_external_id: competition.id,
            competition_name: competition.name,
            season,
            team_external_id: team.id,
            team_name: team.name,
            ...player,
            role: slot < 5 ? 'starter' : 'bench',
            games_played: games,
            minutes_per_game: stat(38),
            points_per_game: stat(28),
            rebounds_per_game: stat(12),
            assists_per_game: stat(9),
            steals_per_game: stat(2.5),
            blocks_per_game: stat(2.5),
            turnovers_per_game: stat(4),
            fg_pct: stat(65),
            three_pt_pct: played && random() < 0.85 ? between(0, 50) : null,
            ft_pct: stat(100),
            source_metadata: { row: records.length + 1 },
            raw_payload: { slot },
          });
        }
      }
    }
  }
  // Shuffled (Fisher-Yates): row order carries no meaning, and the file should not look sorted.
  for (let i = records.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [records[i], records[j]] = [records[j]!, records[i]!];
  }
  return {
    source_name: 'northern-scouting',
    snapshot_date: '2026-01-15',
    records,
    source_metadata: { generator: 'test/support/large-snapshot.ts', rows: records.length },
    raw_payload: {},
  };
}

export function largeSnapshotText(): string {
  return `${JSON.stringify(buildLargeSnapshot(), null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) writeFileSync(LARGE_SNAPSHOT_PATH, largeSnapshotText());
