import type { JsonObject } from '../../../core/job.js';
import { compareIds } from '../espn-game.js';
import type { EspnPlay } from './parse-game-summary.js';

/** A play as the ledger records it. */
export interface PlayRecord extends JsonObject {
  id: string;
  sequence: number;
  period: number;
  clock: string | null;
  type: string | null;
  text: string | null;
  scoring_play: boolean;
  score_value: number | null;
  home_score: number | null;
  away_score: number | null;
  team_id: string | null;
}

/** ESPN inserts plays late and reuses sequence numbers: the order is (period, sequence, id), never id alone. */
export function comparePlays(a: PlayRecord, b: PlayRecord): number {
  return a.period - b.period || a.sequence - b.sequence || compareIds(a.id, b.id);
}

/** The plays in ledger order; a second play with an id already seen is left out with a warning. */
export function playLedger(plays: readonly EspnPlay[]): { plays: PlayRecord[]; warnings: JsonObject[] } {
  const byId = new Map<string, PlayRecord>();
  const warnings: JsonObject[] = [];
  for (const play of plays) {
    if (byId.has(play.id)) {
      warnings.push({ code: 'DUPLICATE_PLAY_ID', play_id: play.id, message: `play ${play.id} is listed more than once; the first is kept` });
      continue;
    }
    byId.set(play.id, {
      id: play.id,
      sequence: play.sequenceNumber,
      period: play.period.number,
      clock: play.clock?.displayValue ?? null,
      type: play.type?.text ?? null,
      text: play.text ?? null,
      scoring_play: play.scoringPlay ?? false,
      score_value: play.scoreValue ?? null,
      home_score: play.homeScore ?? null,
      away_score: play.awayScore ?? null,
      team_id: play.team?.id ?? null,
    });
  }
  const ordered = [...byId.values()].sort(comparePlays);
  return { plays: ordered, warnings: [...warnings, ...integrityWarnings(ordered)] };
}

/**
 * What does not add up, recorded and never corrected: a team's score going down, a period going
 * backwards along the sequence numbers, a scoring play whose value is not the change in the score.
 */
export function integrityWarnings(ordered: readonly PlayRecord[]): JsonObject[] {
  const warnings: JsonObject[] = [];
  let last: { home: number; away: number } | null = null;
  for (const play of ordered) {
    if (play.home_score === null || play.away_score === null) continue;
    if (last !== null) {
      for (const side of ['home', 'away'] as const) {
        const before = last[side];
        const now = side === 'home' ? play.home_score : play.away_score;
        if (now < before) {
          warnings.push({ code: 'SCORE_WENT_DOWN', play_id: play.id, side, from: before, to: now, message: `the ${side} score goes from ${before} to ${now} at play ${play.id}` });
        }
      }
      const delta = play.home_score + play.away_score - (last.home + last.away);
      if (play.scoring_play && play.score_value !== null && play.score_value !== delta) {
        warnings.push({
          code: 'SCORE_VALUE_MISMATCH',
          play_id: play.id,
          score_value: play.score_value,
          score_delta: delta,
          message: `scoring play ${play.id} is worth ${play.score_value} but the score changes by ${delta}`,
        });
      }
    }
    last = { home: play.home_score, away: play.away_score };
  }
  const bySequence = ordered.toSorted((a, b) => a.sequence - b.sequence || compareIds(a.id, b.id));
  let highest: PlayRecord | null = null;
  for (const play of bySequence) {
    if (highest !== null && play.period < highest.period) {
      warnings.push({
        code: 'PERIOD_WENT_BACKWARDS',
        play_id: play.id,
        period: play.period,
        after_period: highest.period,
        message: `play ${play.id} (sequence ${play.sequence}) is in period ${play.period}, after play ${highest.id} in period ${highest.period}`,
      });
    }
    if (highest === null || play.period > highest.period) highest = play;
  }
  return warnings;
}
