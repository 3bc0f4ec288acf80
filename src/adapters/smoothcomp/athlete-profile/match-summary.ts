export const MATCH_METHODS = ['submission', 'points', 'advantage', 'decision', 'disqualification', 'walkover', 'unknown'] as const;
export type MatchMethod = (typeof MATCH_METHODS)[number];

export interface MatchRecord {
  match_id: string | null;
  date: string | null;
  event: { id: string | null; name: string | null };
  division: string | null;
  opponent: { id: string | null; name: string | null };
  result: 'win' | 'loss' | null;
  method: MatchMethod;
  outcome: string | null;
}

/** "Won by Submission - 02:14", "Points 4-2", "Referee decision", "DQ", "W.O." -> a method. */
export function matchMethod(outcome: string | null): MatchMethod {
  const text = (outcome ?? '').toLowerCase();
  if (/submission|sub\b|tap/.test(text)) return 'submission';
  if (/advantage/.test(text)) return 'advantage';
  if (/points?|\b\d+\s*[-x]\s*\d+\b/.test(text)) return 'points';
  if (/decision|referee|judges?/.test(text)) return 'decision';
  if (/\bdq\b|disqualif/.test(text)) return 'disqualification';
  if (/walk ?over|\bw\.?o\.?\b|no show|bye/.test(text)) return 'walkover';
  return 'unknown';
}

/** Wins and losses overall and by method, derived only from matches whose result is known. */
export function summarizeMatches(matches: readonly MatchRecord[]): {
  matches: number;
  wins: number;
  losses: number;
  by_method: Record<MatchMethod, { wins: number; losses: number }>;
} {
  const byMethod = Object.fromEntries(MATCH_METHODS.map((m) => [m, { wins: 0, losses: 0 }])) as Record<MatchMethod, { wins: number; losses: number }>;
  let wins = 0;
  let losses = 0;
  for (const m of matches) {
    if (m.result === 'win') {
      wins++;
      byMethod[m.method].wins++;
    } else if (m.result === 'loss') {
      losses++;
      byMethod[m.method].losses++;
    }
  }
  return { matches: matches.length, wins, losses, by_method: byMethod };
}
