import { z } from 'zod';
import { JobError } from '../../../core/job-error.js';
import type { JsonObject } from '../../../core/job.js';
import type { FetchedResource, PipelineDefinition } from '../../../core/pipeline.js';
import { numericId, SMOOTHCOMP_ALLOWED_HOSTS, smoothcompHost, smoothcompUrl, bodyText } from '../smoothcomp-scope.js';
import { matchMethod, summarizeMatches, type MatchRecord } from './match-summary.js';
import { parseProfileEventsPage, parseProfilePage, type AthleteEventEntry, type ProfileFacts } from './parse-athlete-profile.js';

export const ATHLETE_PROFILE = 'smoothcomp.athlete_profile_enrichment';

const scopeSchema = z.strictObject({ host: smoothcompHost, profile_id: numericId });
type Scope = z.infer<typeof scopeSchema>;
const paramsSchema = z.strictObject({ max_pages: z.int().min(1).max(50).optional() });


/** The profile page, then the match history page by page (`next_page_url`) up to a cap. */
export const athleteProfilePipeline: PipelineDefinition<Scope, z.infer<typeof paramsSchema>, { profile: ProfileFacts; entries: AthleteEventEntry[] }> = {
  name: ATHLETE_PROFILE,
  scopeSchema,
  paramsSchema,
  parserVersion: '1',
  normalizerVersion: '1',
  allowedHosts: SMOOTHCOMP_ALLOWED_HOSTS,
  maxRequests: 51,
  planRequests({ scope, params, fetched }) {
    const historyPage = (page: number) => ({
      resourceType: 'athlete_events_page',
      resourceKey: `/en/profile/${scope.profile_id}/events?page=${page}`,
      method: 'GET' as const,
      url: smoothcompUrl(scope.host, `profile/${scope.profile_id}/events`, { page }),
      headers: { accept: 'application/json', 'x-requested-with': 'XMLHttpRequest' },
    });
    if (fetched.length === 0) {
      return [{ resourceType: 'athlete_profile', resourceKey: `/en/profile/${scope.profile_id}`, method: 'GET', url: smoothcompUrl(scope.host, `profile/${scope.profile_id}`) }, historyPage(1)];
    }
    const pages = fetched.filter((r) => r.resourceType === 'athlete_events_page');
    const last = pages.at(-1);
    if (last === undefined || pages.length >= (params.max_pages ?? 20)) return [];
    let next: number | null;
    try {
      next = parseProfileEventsPage(bodyText(last.body), last.resourceKey).nextPage;
    } catch {
      return [];
    }
    // A next page must move forward, or the history is over.
    return next !== null && next > pages.length ? [historyPage(pages.length + 1)] : [];
  },
  parse({ scope, fetched }) {
    const profile = fetched.find((r) => r.resourceType === 'athlete_profile');
    if (profile === undefined) throw new JobError('parse', 'RESOURCE_MISSING', 'no profile page was fetched');
    const pages = fetched.filter((r: FetchedResource) => r.resourceType === 'athlete_events_page');
    return {
      profile: parseProfilePage(bodyText(profile.body), `profile ${scope.profile_id}`),
      entries: pages.flatMap((page) => parseProfileEventsPage(bodyText(page.body), page.resourceKey).entries),
    };
  },
  normalize({ scope, parsed }) {
    const matches: MatchRecord[] = [];
    for (const entry of parsed.entries) {
      for (const registration of entry.registrations) {
        for (const m of registration.matches ?? []) {
          const opponent = m.opponents?.[0];
          matches.push({
            match_id: m.id === null || m.id === undefined ? null : String(m.id),
            date: (entry.info.event_start ?? '').match(/^\d{4}-\d{2}-\d{2}/)?.[0] ?? null,
            event: {
              id: entry.info.event_id === null || entry.info.event_id === undefined ? null : String(entry.info.event_id),
              name: entry.info.event_name ?? null,
            },
            division: registration.division ?? null,
            opponent: { id: opponent?.id === null || opponent?.id === undefined ? null : String(opponent.id), name: opponent?.name ?? null },
            result: m.is_winner === null || m.is_winner === undefined ? null : m.is_winner ? 'win' : 'loss',
            method: matchMethod(m.outcome ?? null),
            outcome: m.outcome ?? null,
          });
        }
      }
    }
    matches.sort((a, b) => (a.date ?? '').localeCompare(b.date ?? '') || (a.match_id ?? '').localeCompare(b.match_id ?? '', 'en', { numeric: true }));
    const record: JsonObject = {
      profile_id: scope.profile_id,
      host: scope.host,
      name: parsed.profile.name,
      club: parsed.profile.club,
      country: parsed.profile.country,
      belt: parsed.profile.belt,
      matches: matches as unknown as JsonObject[],
      summary: summarizeMatches(matches),
    };
    return { records: [record] };
  },
};
