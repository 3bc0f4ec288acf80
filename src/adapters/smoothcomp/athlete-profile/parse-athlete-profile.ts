import { load } from 'cheerio';
import { z } from 'zod';
import { JobError } from '../../../core/job-error.js';

export interface ProfileFacts {
  name: string;
  club: string | null;
  country: string | null;
  belt: string | null;
}

/**
 * The profile page: the athlete's name is the first part of the `<title>` ("Name - Smoothcomp");
 * club, country and belt are read where the page shows them. A page whose title names no one is drift.
 */
export function parseProfilePage(html: string, where: string): ProfileFacts {
  const $ = load(html);
  const title = $('title').first().text().trim();
  const name = title.includes(' - ') ? title.slice(0, title.lastIndexOf(' - ')).trim() : '';
  if (name === '' || /^(smoothcomp|just a moment)/i.test(name)) {
    throw new JobError('parse', 'PROFILE_NAME_NOT_FOUND', `${where}: the page title names no athlete ("${title.slice(0, 80)}")`);
  }
  const textOf = (selector: string) => $(selector).first().text().trim() || null;
  const country = $('[data-country]').first().attr('data-country')?.trim().toUpperCase() ?? null;
  return {
    name,
    club: textOf('.profile-info .club, .profile-club'),
    country: country !== null && /^[A-Z]{2}$/.test(country) ? country : null,
    belt: textOf('.profile-info .belt, .profile-belt'),
  };
}

const opponent = z.object({ id: z.union([z.int(), z.string()]).nullish().catch(null), name: z.string().nullish().catch(null) });
const match = z.object({
  id: z.union([z.int(), z.string()]).nullish().catch(null),
  is_winner: z.union([z.boolean(), z.int()]).nullish().catch(null),
  outcome: z.string().nullish().catch(null),
  opponents: z.array(opponent).nullish().catch(null),
});
const eventEntry = z.object({
  info: z
    .object({
      event_start: z.string().nullish().catch(null),
      event_id: z.union([z.int(), z.string()]).nullish().catch(null),
      event_name: z.string().nullish().catch(null),
    })
    .passthrough(),
  registrations: z.array(z.object({ division: z.string().nullish().catch(null), matches: z.array(match).nullish().catch(null) })).default([]),
});
const eventsPage = z.object({ data: z.array(eventEntry), next_page_url: z.string().nullish() });

export type AthleteEventEntry = z.infer<typeof eventEntry>;

/** One page of `/en/profile/{id}/events`; the next page number, if the page names one. */
export function parseProfileEventsPage(body: string, where: string): { entries: AthleteEventEntry[]; nextPage: number | null } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new JobError('parse', 'PROFILE_EVENTS_NOT_JSON', `${where}: the events history is not JSON`, { cause: error });
  }
  const parsed = eventsPage.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new JobError('parse', 'PROFILE_EVENTS_UNEXPECTED', `${where}: ${issue?.path.join('.') || 'response'}: ${issue?.message ?? 'unexpected shape'}`);
  }
  // Only the page number is taken from next_page_url: the request stays on the scope's host and path.
  const next = parsed.data.next_page_url;
  const page = next === null || next === undefined ? null : Number(/[?&]page=(\d{1,4})\b/.exec(next)?.[1] ?? NaN);
  return { entries: parsed.data.data, nextPage: page === null || Number.isNaN(page) ? null : page };
}
