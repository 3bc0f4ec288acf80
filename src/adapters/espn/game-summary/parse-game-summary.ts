import { z } from 'zod';
import { JobError } from '../../../core/job-error.js';
import { competitorSchema, espnText, homeAndAway, schemaFailure, statusSchema, venueSchema, type GameParts } from '../espn-game.js';

const integer = z.union([z.int(), z.string().regex(/^-?\d+$/).transform(Number)]);
const optionalNumber = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)]).nullish().catch(null);

const playSchema = z.object({
  id: z.union([z.string().regex(/^\d+$/), z.int().positive()]).transform(String),
  sequenceNumber: integer,
  period: z.object({ number: integer }),
  clock: z.object({ displayValue: espnText }).nullish().catch(null),
  type: z.object({ id: espnText, text: espnText }).nullish().catch(null),
  text: espnText,
  scoringPlay: z.boolean().nullish().catch(null),
  scoreValue: optionalNumber,
  homeScore: optionalNumber,
  awayScore: optionalNumber,
  team: z.object({ id: espnText }).nullish().catch(null),
});
export type EspnPlay = z.infer<typeof playSchema>;

const athleteLineSchema = z.object({
  athlete: z.object({ id: espnText, displayName: espnText }),
  starter: z.boolean().nullish().catch(null),
  didNotPlay: z.boolean().nullish().catch(null),
  stats: z.array(z.union([z.string(), z.number()]).nullable()).nullish().catch(null),
});

const teamBoxSchema = z.object({
  team: z.object({ id: espnText, abbreviation: espnText }).nullish().catch(null),
  statistics: z.array(z.object({ keys: z.array(z.string()), athletes: z.array(athleteLineSchema) })),
});
export type EspnTeamBox = z.infer<typeof teamBoxSchema>;

const summarySchema = z.object({
  header: z.object({
    id: z.union([z.string().regex(/^\d+$/), z.int().positive()]).transform(String),
    name: espnText,
    shortName: espnText,
    competitions: z.array(z.object({ date: z.string().nullish().catch(null), status: statusSchema, competitors: z.array(competitorSchema), venue: venueSchema })).min(1),
  }),
  plays: z.array(z.unknown()).nullish(),
  boxscore: z.object({ players: z.array(z.unknown()).nullish() }).nullish().catch(null),
  gameInfo: z.object({ venue: venueSchema }).nullish().catch(null),
});

export interface ParsedSummary {
  game: GameParts;
  plays: EspnPlay[];
  /** Null when the summary has no player box score (before the game, or a league without one). */
  boxScore: EspnTeamBox[] | null;
}

/**
 * A game summary: the header's game, every play, and the player box score when there is one. A
 * play or a box score that is there but unreadable fails the parse, naming it: a ledger silently
 * missing a play would publish a wrong game.
 */
export function parseGameSummary(body: unknown, eventId: string, where: string): ParsedSummary {
  const summary = summarySchema.safeParse(body);
  if (!summary.success) throw schemaFailure('SUMMARY_UNEXPECTED', where, summary.error);
  const { header, plays, boxscore, gameInfo } = summary.data;
  if (header.id !== eventId) throw new JobError('parse', 'SUMMARY_OTHER_EVENT', `${where}: the summary is of event ${header.id}, not ${eventId}`);
  const competition = header.competitions[0];
  if (competition === undefined) throw new JobError('parse', 'SUMMARY_UNEXPECTED', `${where}: header.competitions is empty`);
  const { home, away } = homeAndAway(competition.competitors, where);
  const parsedPlays = (plays ?? []).map((raw, index) => {
    const play = playSchema.safeParse(raw);
    if (!play.success) throw schemaFailure('SUMMARY_PLAY_UNEXPECTED', `${where}: plays.${index}`, play.error);
    return play.data;
  });
  const players = boxscore?.players ?? [];
  const boxScore = players.map((raw, index) => {
    const team = teamBoxSchema.safeParse(raw);
    if (!team.success) throw schemaFailure('SUMMARY_BOX_SCORE_UNEXPECTED', `${where}: boxscore.players.${index}`, team.error);
    return team.data;
  });
  return {
    game: {
      eventId: header.id,
      name: header.name ?? null,
      shortName: header.shortName ?? null,
      date: competition.date ?? null,
      status: competition.status,
      home,
      away,
      venue: gameInfo?.venue ?? competition.venue,
    },
    plays: parsedPlays,
    boxScore: boxScore.length === 0 ? null : boxScore,
  };
}
