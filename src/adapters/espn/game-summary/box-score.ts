import type { JsonObject, JsonValue } from '../../../core/job.js';
import { espnNumber } from '../espn-game.js';
import type { EspnTeamBox } from './parse-game-summary.js';

/** A stat cell: a number when it is one ("23"), null when empty ("", "--"), else ESPN's text ("8-15", "32:10"). */
function statValue(value: string | number | null | undefined): JsonValue {
  if (value === null || value === undefined) return null;
  const number = espnNumber(value);
  if (number !== null) return number;
  const text = String(value).trim();
  return text === '' || text === '--' ? null : text;
}

/** Per team, each player's line with the sport's stat columns under their ESPN keys. */
export function boxScoreLines(teams: readonly EspnTeamBox[]): { teams: JsonObject[]; warnings: JsonObject[] } {
  const warnings: JsonObject[] = [];
  const lines = teams.map((team) => {
    const players = team.statistics.flatMap((group) =>
      group.athletes.map((line) => {
        const cells = line.stats ?? [];
        if (cells.length > 0 && cells.length !== group.keys.length) {
          warnings.push({
            code: 'BOX_SCORE_COLUMNS_MISMATCH',
            athlete_id: line.athlete.id ?? null,
            message: `athlete ${line.athlete.id ?? '?'} has ${cells.length} stats for ${group.keys.length} columns; they are matched to columns by position`,
          });
        }
        const stats: JsonObject = {};
        if (cells.length > 0) group.keys.forEach((key, index) => (stats[key] = statValue(cells[index])));
        return {
          athlete_id: line.athlete.id ?? null,
          name: line.athlete.displayName ?? null,
          starter: line.starter ?? false,
          did_not_play: line.didNotPlay ?? false,
          stats,
        };
      }),
    );
    return { team_id: team.team?.id ?? null, abbreviation: team.team?.abbreviation ?? null, players };
  });
  return { teams: lines, warnings };
}
