import { z } from 'zod';
import { JobError } from '../../../core/job-error.js';
import { competitorSchema, espnText, homeAndAway, schemaFailure, statusSchema, venueSchema, type GameParts } from '../espn-game.js';

const eventSchema = z.object({
  id: z.union([z.string().regex(/^\d+$/), z.number().int().positive()]).transform(String),
  date: z.string().nullish().catch(null),
  name: espnText,
  shortName: espnText,
  status: statusSchema,
  competitions: z
    .array(z.object({ venue: venueSchema, competitors: z.array(competitorSchema) }))
    .min(1),
});

const scoreboardSchema = z.object({ events: z.array(z.unknown()) });

/**
 * A scoreboard's games. No `events` array is drift; an empty one is a day without games. An event
 * that lacks what a record needs (its id, state, home and away) fails the whole parse, naming it,
 * rather than vanish from the day.
 */
export function parseScoreboard(body: unknown, where: string): GameParts[] {
  const page = scoreboardSchema.safeParse(body);
  if (!page.success) throw new JobError('parse', 'SCOREBOARD_UNEXPECTED', `${where}: no events array; the response shape may have changed`);
  return page.data.events.map((raw, index) => {
    const event = eventSchema.safeParse(raw);
    if (!event.success) throw schemaFailure('SCOREBOARD_EVENT_UNEXPECTED', `${where}: events.${index}`, event.error);
    const { id, date, name, shortName, status, competitions } = event.data;
    const competition = competitions[0];
    if (competition === undefined) throw new JobError('parse', 'SCOREBOARD_EVENT_UNEXPECTED', `${where}: events.${index} has no competition`);
    const { home, away } = homeAndAway(competition.competitors, `${where}: event ${id}`);
    return { eventId: id, name: name ?? null, shortName: shortName ?? null, date: date ?? null, status, home, away, venue: competition.venue };
  });
}
