import { z } from 'zod';
import { JobError } from '../../core/job-error.js';

/** The `{sport}/{league}` path segments accepted; any other pair is refused by the scope schema. */
export const ESPN_LEAGUES = ['basketball/nba', 'basketball/wnba', 'football/nfl', 'football/college-football', 'baseball/mlb', 'hockey/nhl'] as const;

const SPORTS = [...new Set(ESPN_LEAGUES.map((pair) => pair.split('/')[0] ?? ''))];
const LEAGUES = [...new Set(ESPN_LEAGUES.map((pair) => pair.split('/')[1] ?? ''))];
const allowed = `one of ${ESPN_LEAGUES.join(', ')}`;

/** Both fields are enums (each a path segment, never free text) and the pair must be a known league. */
const sportLeague = {
  sport: z.enum(SPORTS as [string, ...string[]], { error: `must be a sport of ${allowed}` }),
  league: z.enum(LEAGUES as [string, ...string[]], { error: `must be a league of ${allowed}` }),
};

function knownPair(value: { sport: string; league: string }, ctx: z.RefinementCtx): void {
  if (!(ESPN_LEAGUES as readonly string[]).includes(`${value.sport}/${value.league}`)) {
    ctx.addIssue({ code: 'custom', path: ['league'], message: `${value.sport}/${value.league} is not accepted: sport/league must be ${allowed}` });
  }
}

/** `YYYYMMDD`, a real calendar day (ESPN's `dates` parameter). */
export const espnDate = z
  .string()
  .regex(/^\d{8}$/, { error: 'must be a day as YYYYMMDD', abort: true })
  .refine((text) => {
    const day = new Date(`${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}T00:00:00Z`);
    return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10).replace(/-/g, '') === text;
  }, 'must be a calendar day as YYYYMMDD');

/** ESPN event ids are numeric; only digits, so an id can never steer a request elsewhere. */
export const espnEventId = z.string().regex(/^[1-9][0-9]{0,14}$/, 'must be a numeric event id');

export const scoreboardScopeSchema = z.strictObject({ ...sportLeague, date: espnDate.optional() }).superRefine(knownPair);
export const gameSummaryScopeSchema = z.strictObject({ ...sportLeague, event_id: espnEventId }).superRefine(knownPair);
export type ScoreboardScope = z.infer<typeof scoreboardScopeSchema>;
export type GameSummaryScope = z.infer<typeof gameSummaryScopeSchema>;

/** How the ESPN pipelines are built: where ESPN is, and how often a live game is polled. */
export interface EspnOptions {
  /** `ESPN_BASE_URL`: the origin every request goes to; its host is the only one allowed. */
  baseUrl: string;
  /** `ESPN_LIVE_POLL_INTERVAL_SEC`: seconds between two summaries of a game in progress. */
  livePollIntervalSec: number;
}

export const DEFAULT_ESPN_OPTIONS: EspnOptions = { baseUrl: 'https://site.api.espn.com', livePollIntervalSec: 30 };

/** The one host the ESPN pipelines may fetch from: the configured base URL's. */
export function espnAllowedHosts(options: EspnOptions): string[] {
  return [new URL(options.baseUrl).hostname];
}

/** Every ESPN URL is built here: the base URL, the site API path of the league, then `resource`. */
export function espnUrl(options: EspnOptions, scope: { sport: string; league: string }, resource: string, query: Record<string, string | undefined> = {}): string {
  const url = new URL(`${options.baseUrl.replace(/\/+$/, '')}/apis/site/v2/sports/${scope.sport}/${scope.league}/${resource}`);
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, value);
  return url.toString();
}

/** The path and query of an ESPN URL: the resource key, the same whatever the base URL. */
export function espnResourceKey(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

/** A stored response as JSON; anything else is a classified parse error. */
export function bodyJson(bytes: Uint8Array, where: string): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
  } catch (error) {
    throw new JobError('parse', 'ESPN_NOT_JSON', `${where}: the response is not JSON`, { cause: error });
  }
}
