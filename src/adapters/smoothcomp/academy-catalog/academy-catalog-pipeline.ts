import { z } from 'zod';
import type { JsonObject } from '../../../core/job.js';
import type { FetchedResource, PipelineDefinition } from '../../../core/pipeline.js';
import { countryCode, numericId, SMOOTHCOMP_ALLOWED_HOSTS, smoothcompHost, smoothcompUrl, bodyText } from '../smoothcomp-scope.js';
import { parseClubListingPage, parseClubPage, type RawAcademy } from './parse-academies.js';

export const ACADEMY_CATALOG = 'smoothcomp.academy_catalog';

/** Either every club of a country (the club listing, paged) or the given clubs' own pages. */
const scopeSchema = z
  .strictObject({ host: smoothcompHost, country: countryCode.optional(), club_ids: z.array(numericId).min(1).max(50).optional() })
  .refine((s) => (s.country === undefined) !== (s.club_ids === undefined), { message: 'give either country or club_ids', path: ['country'] });
type Scope = z.infer<typeof scopeSchema>;

const MAX_PAGES = 25;
const listingPage = (r: FetchedResource) => parseClubListingPage(bodyText(r.body), r.resourceKey);

export const academyCatalogPipeline: PipelineDefinition<Scope, JsonObject, RawAcademy[]> = {
  name: ACADEMY_CATALOG,
  scopeSchema: scopeSchema,
  paramsSchema: z.strictObject({}),
  parserVersion: '1',
  normalizerVersion: '1',
  allowedHosts: SMOOTHCOMP_ALLOWED_HOSTS,
  maxRequests: 50,
  planRequests({ scope, fetched }) {
    if (scope.club_ids !== undefined) {
      if (fetched.length > 0) return [];
      return [...new Set(scope.club_ids)].map((id) => ({ resourceType: 'club_page', resourceKey: `/en/club/${id}`, method: 'GET' as const, url: smoothcompUrl(scope.host, `club/${id}`) }));
    }
    const last = fetched.at(-1);
    if (last !== undefined) {
      try {
        if (listingPage(last).length === 0 || fetched.length >= MAX_PAGES) return [];
      } catch {
        return [];
      }
    }
    const page = fetched.length + 1;
    const url = smoothcompUrl(scope.host, 'clubs', { countries: scope.country, page });
    return [{ resourceType: 'club_listing_page', resourceKey: `/en/clubs?countries=${scope.country}&page=${page}`, method: 'GET', url }];
  },
  parse({ fetched }) {
    return fetched.flatMap((r) => (r.resourceType === 'club_page' ? [parseClubPage(bodyText(r.body), Number(r.resourceKey.split('/').pop()), r.resourceKey)] : listingPage(r)));
  },
  normalize({ scope, parsed }) {
    const byId = new Map<number, JsonObject>();
    for (const club of parsed) {
      if (byId.has(club.id)) continue;
      byId.set(club.id, {
        club_id: String(club.id),
        host: scope.host,
        name: club.name,
        country: club.country?.toUpperCase() ?? null,
        city: club.city,
        affiliation: club.affiliation,
        members_count: club.membersCount,
        members: club.members === null ? null : club.members.map((m) => ({ profile_id: m.profileId, name: m.name })),
      });
    }
    return { records: [...byId.entries()].sort(([a], [b]) => a - b).map(([, record]) => record) };
  },
};
