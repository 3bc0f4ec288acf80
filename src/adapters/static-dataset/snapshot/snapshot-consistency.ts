import type { JsonValue } from '../../../core/job.js';
import { jsonPath } from './json-path.js';
import type { SnapshotRow } from './snapshot-schema.js';
import type { SnapshotProblem } from './snapshot-problem.js';

/** The facts about a player every row naming that player must agree on. */
export const PLAYER_FACTS = ['full_name', 'first_name', 'last_name', 'birth_date', 'nationality', 'height_cm', 'weight_kg'] as const;

/** A row that passed the row schema, with its index in `records`. */
export interface IndexedRow {
  index: number;
  row: SnapshotRow;
}

/**
 * What no single row shows: one id given two different facts (a team with two names), one
 * player-season listed twice, a birth after the snapshot. Each problem names the row that disagrees
 * and the row it disagrees with, by path.
 */
export function consistencyProblems(rows: readonly IndexedRow[], snapshotDate: string | undefined): SnapshotProblem[] {
  const problems: SnapshotProblem[] = [];
  const competitions = new FactBook('competition');
  const teams = new FactBook('team');
  const players = new FactBook('player');
  const playerSeasons = new Map<string, number>();
  for (const { index, row } of rows) {
    if (snapshotDate !== undefined && row.birth_date !== null && row.birth_date > snapshotDate) {
      problems.push({ path: jsonPath(['records', index, 'birth_date']), message: `is after the snapshot date ${snapshotDate}` });
    }
    competitions.check(row.competition_external_id, index, 'competition_name', row.competition_name, problems);
    teams.check(row.team_external_id, index, 'team_name', row.team_name, problems);
    for (const fact of PLAYER_FACTS) players.check(row.player_external_id, index, fact, row[fact], problems);
    const key = JSON.stringify([row.competition_external_id, row.season, row.team_external_id, row.player_external_id]);
    const first = playerSeasons.get(key);
    if (first === undefined) playerSeasons.set(key, index);
    else {
      problems.push({
        path: jsonPath(['records', index]),
        message: `repeats the player-season of ${jsonPath(['records', first])} (player ${JSON.stringify(row.player_external_id)}, team ${JSON.stringify(row.team_external_id)}, competition ${JSON.stringify(row.competition_external_id)}, season ${JSON.stringify(row.season)})`,
      });
    }
  }
  return problems;
}

/** The first value seen for each (id, fact), and where it was seen. */
class FactBook {
  private readonly seen = new Map<string, { value: JsonValue; index: number }>();

  constructor(private readonly entity: string) {}

  check(id: string, index: number, fact: string, value: JsonValue, problems: SnapshotProblem[]): void {
    const key = JSON.stringify([id, fact]);
    const first = this.seen.get(key);
    if (first === undefined) {
      this.seen.set(key, { value, index });
      return;
    }
    if (first.value === value) return;
    problems.push({
      path: jsonPath(['records', index, fact]),
      message: `${this.entity} ${JSON.stringify(id)} has ${fact} ${JSON.stringify(value)} here but ${JSON.stringify(first.value)} at ${jsonPath(['records', first.index, fact])}`,
    });
  }
}
