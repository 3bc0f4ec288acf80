import { z } from 'zod';
import { JobError } from '../../core/job-error.js';
import type { JsonObject } from '../../core/job.js';

/**
 * The parts of an ESPN game that the scoreboard's events and the summary's header share: the
 * status, the two competitors and the venue. Optional fields read as null when missing or of the
 * wrong type; what polling and the record cannot do without (the state, both sides) is required.
 */

/** An id or a label ESPN writes as a string or a number. */
export const espnText = z
  .union([z.string(), z.number()])
  .transform((value) => String(value).trim())
  .nullish()
  .catch(null);

/** ESPN writes numbers as strings ("87", "32"); a number in a record, null when not numeric. */
export function espnNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string' || !/^[+-]?\d+(\.\d+)?$/.test(value.trim())) return null;
  return Number(value.trim());
}

const looseNumber = z.unknown().transform(espnNumber);
const optionalBoolean = z.boolean().nullish().catch(null);

export const statusSchema = z.object({
  clock: looseNumber,
  displayClock: espnText,
  period: looseNumber,
  type: z.object({
    name: espnText,
    state: z.enum(['pre', 'in', 'post']),
    completed: optionalBoolean,
    detail: espnText,
    shortDetail: espnText,
  }),
});

export const competitorSchema = z.object({
  homeAway: z.enum(['home', 'away']),
  winner: optionalBoolean,
  /** A string on the scoreboard ("87"), sometimes a number; an object with `value` in some feeds. */
  score: z.unknown(),
  team: z.object({ id: espnText, abbreviation: espnText, displayName: espnText }).nullish().catch(null),
});

export const venueSchema = z
  .object({
    fullName: espnText,
    address: z.object({ city: espnText, state: espnText, country: espnText }).nullish().catch(null),
  })
  .nullish()
  .catch(null);

export type EspnStatus = z.infer<typeof statusSchema>;
export type EspnCompetitor = z.infer<typeof competitorSchema>;
export type EspnVenue = z.infer<typeof venueSchema>;

/** One side of a game in a record. Before the game the score is null, not ESPN's "0". */
function side(competitor: EspnCompetitor, state: 'pre' | 'in' | 'post'): JsonObject {
  const raw = typeof competitor.score === 'object' && competitor.score !== null ? (competitor.score as { value?: unknown }).value : competitor.score;
  return {
    team_id: competitor.team?.id ?? null,
    abbreviation: competitor.team?.abbreviation ?? null,
    display_name: competitor.team?.displayName ?? null,
    score: state === 'pre' ? null : espnNumber(raw),
    winner: competitor.winner ?? null,
  };
}

/** The home and away competitors; a game without exactly one of each is not one we can record. */
export function homeAndAway(competitors: EspnCompetitor[], where: string): { home: EspnCompetitor; away: EspnCompetitor } {
  const home = competitors.filter((c) => c.homeAway === 'home');
  const away = competitors.filter((c) => c.homeAway === 'away');
  if (home.length !== 1 || away.length !== 1 || home[0] === undefined || away[0] === undefined) {
    throw new JobError('parse', 'ESPN_COMPETITORS_UNEXPECTED', `${where}: expected one home and one away competitor, found ${home.length} and ${away.length}`);
  }
  return { home: home[0], away: away[0] };
}

export interface GameParts {
  eventId: string;
  name: string | null;
  shortName: string | null;
  date: string | null;
  status: EspnStatus;
  home: EspnCompetitor;
  away: EspnCompetitor;
  venue: EspnVenue;
}

/** The game fields of both pipelines' records, in one place so they never drift apart. */
export function gameRecord(parts: GameParts): JsonObject {
  const state = parts.status.type.state;
  const home = side(parts.home, state);
  const away = side(parts.away, state);
  const venue = parts.venue;
  return {
    event_id: parts.eventId,
    name: parts.name ?? joinNames(away.display_name, ' at ', home.display_name),
    short_name: parts.shortName ?? joinNames(away.abbreviation, ' @ ', home.abbreviation),
    start_time: isoInstant(parts.date),
    state,
    status: parts.status.type.name ?? null,
    status_detail: parts.status.type.detail ?? parts.status.type.shortDetail ?? null,
    completed: parts.status.type.completed ?? state === 'post',
    period: parts.status.period,
    clock: parts.status.displayClock ?? null,
    home,
    away,
    venue:
      venue === null || venue === undefined
        ? null
        : { name: venue.fullName ?? null, city: venue.address?.city ?? null, state: venue.address?.state ?? null },
  };
}

function joinNames(a: unknown, joiner: string, b: unknown): string | null {
  return typeof a === 'string' && typeof b === 'string' ? `${a}${joiner}${b}` : null;
}

/** ESPN writes `2026-12-01T00:30Z`; records carry a full ISO 8601 instant, or null. */
export function isoInstant(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

/** A zod failure as a parse error naming where it was. */
export function schemaFailure(code: string, where: string, error: z.ZodError): JobError {
  const first = error.issues[0];
  const path = first === undefined ? '' : first.path.map(String).join('.');
  return new JobError('parse', code, `${where}: ${path === '' ? '' : `${path}: `}${first?.message ?? 'unexpected shape'}`);
}

/** Numeric ids in numeric order ("9" before "10"), anything else as text. */
export function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  return a < b ? -1 : a > b ? 1 : 0;
}
