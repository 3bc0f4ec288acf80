import { z } from 'zod';
import type { FetchedResource, PipelineDefinition } from '../../../core/pipeline.js';
import { countryCode, isoDate, SMOOTHCOMP_ALLOWED_HOSTS, smoothcompHost, smoothcompUrl, bodyText } from '../smoothcomp-scope.js';
import { normalizeEventCatalog } from './normalize-event-catalog.js';
import { parseEventCatalogPage, type RawCatalogEvent } from './parse-event-catalog-page.js';

export const EVENT_CATALOG = 'smoothcomp.event_catalog';

const scopeSchema = z
  .strictObject({
    host: smoothcompHost,
    country: countryCode,
    event_type: z.enum(['upcoming', 'past']),
    start_date: isoDate.optional(),
    end_date: isoDate.optional(),
  })
  .refine((s) => s.start_date === undefined || s.end_date === undefined || s.start_date <= s.end_date, {
    message: 'start_date must not be after end_date',
    path: ['end_date'],
  });

const paramsSchema = z.strictObject({
  /** Category groups, e.g. [1, 3, 4, 7]. */
  category_groups: z.array(z.int().positive()).max(20).optional(),
  max_pages: z.int().min(1).max(50).optional(),
});

export type EventCatalogScope = z.infer<typeof scopeSchema>;
const DEFAULT_MAX_PAGES = 25;

export interface ParsedCatalog {
  pages: { page: number; events: RawCatalogEvent[] }[];
  /** The last page fetched still had events: the cap cut the listing short. */
  truncated: boolean;
}

function pageEvents(resource: FetchedResource): RawCatalogEvent[] {
  return parseEventCatalogPage(bodyText(resource.body), `page ${resource.resourceKey}`);
}

/** `/en/events/{upcoming|past}` for one country, page after page until a page is empty or the cap. */
export const eventCatalogPipeline: PipelineDefinition<EventCatalogScope, z.infer<typeof paramsSchema>, ParsedCatalog> = {
  name: EVENT_CATALOG,
  scopeSchema: scopeSchema,
  paramsSchema,
  parserVersion: '1',
  normalizerVersion: '1',
  allowedHosts: SMOOTHCOMP_ALLOWED_HOSTS,
  maxRequests: 50,
  planRequests({ scope, params, fetched }) {
    const maxPages = params.max_pages ?? DEFAULT_MAX_PAGES;
    const last = fetched.at(-1);
    if (last !== undefined) {
      let events: RawCatalogEvent[];
      try {
        events = pageEvents(last);
      } catch {
        return []; // parse reports the drift with its message
      }
      if (events.length === 0 || fetched.length >= maxPages) return [];
    }
    const page = fetched.length + 1;
    const url = smoothcompUrl(scope.host, `events/${scope.event_type}`, {
      countries: scope.country,
      cg: params.category_groups?.join(','),
      startDate: scope.start_date,
      endDate: scope.end_date,
      page,
    });
    return [{ resourceType: 'event_catalog_page', resourceKey: `${new URL(url).pathname}${new URL(url).search}`, method: 'GET', url }];
  },
  parse({ fetched }) {
    const pages = fetched.map((resource, index) => ({ page: index + 1, events: pageEvents(resource) }));
    const last = pages.at(-1);
    return { pages, truncated: last !== undefined && last.events.length > 0 };
  },
  normalize({ scope, parsed }) {
    return normalizeEventCatalog(scope, parsed);
  },
};
