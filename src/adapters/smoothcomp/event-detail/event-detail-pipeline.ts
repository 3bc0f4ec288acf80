import { z } from 'zod';
import { JobError } from '../../../core/job-error.js';
import type { JsonObject } from '../../../core/job.js';
import type { FetchedResource, PipelineDefinition } from '../../../core/pipeline.js';
import { numericId, SMOOTHCOMP_ALLOWED_HOSTS, smoothcompHost, smoothcompUrl, bodyText } from '../smoothcomp-scope.js';
import { parseEventPage, parseInfoPanels, type InfoPanels, type SportsEvent } from './parse-event-detail.js';

export const EVENT_DETAIL = 'smoothcomp.event_detail';

const scopeSchema = z.strictObject({ host: smoothcompHost, event_id: numericId });
type Scope = z.infer<typeof scopeSchema>;


function resource(fetched: readonly FetchedResource[], type: string): FetchedResource {
  const found = fetched.find((r) => r.resourceType === type);
  if (found === undefined) throw new JobError('parse', 'RESOURCE_MISSING', `no ${type} was fetched`);
  return found;
}

/** The event page's JSON-LD SportsEvent plus `getInfoPanelsData` for venue and organizer. */
export const eventDetailPipeline: PipelineDefinition<Scope, JsonObject, { event: SportsEvent; panels: InfoPanels }> = {
  name: EVENT_DETAIL,
  scopeSchema,
  paramsSchema: z.strictObject({}),
  parserVersion: '1',
  normalizerVersion: '1',
  allowedHosts: SMOOTHCOMP_ALLOWED_HOSTS,
  maxRequests: 2,
  planRequests({ scope, fetched }) {
    if (fetched.length > 0) return [];
    return [
      { resourceType: 'event_page', resourceKey: `/en/event/${scope.event_id}`, method: 'GET', url: smoothcompUrl(scope.host, `event/${scope.event_id}`) },
      {
        resourceType: 'event_info_panels',
        resourceKey: `/en/event/${scope.event_id}/getInfoPanelsData`,
        method: 'GET',
        url: smoothcompUrl(scope.host, `event/${scope.event_id}/getInfoPanelsData`),
        headers: { accept: 'application/json', 'x-requested-with': 'XMLHttpRequest' },
      },
    ];
  },
  parse({ scope, fetched }) {
    return {
      event: parseEventPage(bodyText(resource(fetched, 'event_page').body), `event ${scope.event_id}`),
      panels: parseInfoPanels(bodyText(resource(fetched, 'event_info_panels').body), `event ${scope.event_id}`),
    };
  },
  normalize({ scope, parsed: { event, panels } }) {
    const address = typeof event.location?.address === 'object' ? event.location.address : null;
    const image = Array.isArray(event.image) ? (event.image[0] ?? null) : (event.image ?? null);
    return {
      records: [
        {
          event_id: scope.event_id,
          host: scope.host,
          name: event.name,
          start_date: datePart(event.startDate),
          end_date: datePart(event.endDate),
          description: event.description ?? null,
          image,
          venue: {
            name: panels.location_name ?? event.location?.name ?? null,
            address: panels.location_address ?? (typeof event.location?.address === 'string' ? event.location.address : (address?.streetAddress ?? null)),
            city: panels.location_city ?? address?.addressLocality ?? null,
            country: address?.addressCountry?.toUpperCase() ?? null,
            country_name: panels.location_country_human ?? null,
          },
          organizer: panels.organizer?.name ?? event.organizer?.name ?? null,
        },
      ],
    };
  },
};

function datePart(value: string | null | undefined): string | null {
  return (value ?? '').match(/^(\d{4}-\d{2}-\d{2})/)?.[1] ?? null;
}
