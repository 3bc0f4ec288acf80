import type { JsonObject } from '../../../core/job.js';
import type { NormalizedContent } from '../../../core/pipeline.js';
import type { EventCatalogScope, ParsedCatalog } from './event-catalog-pipeline.js';

/**
 * Event records, one per event id (an event listed on two pages appears once), ordered by start
 * date then id so the same listing always normalizes to the same content.
 */
export function normalizeEventCatalog(scope: EventCatalogScope, parsed: ParsedCatalog): NormalizedContent {
  const byId = new Map<number, JsonObject & { event_id: string; start_date: string | null }>();
  for (const { events } of parsed.pages) {
    for (const event of events) {
      if (byId.has(event.id)) continue;
      byId.set(event.id, {
        event_id: String(event.id),
        host: scope.host,
        title: event.title,
        url: absoluteUrl(scope.host, event.url) ?? `https://${scope.host}/en/event/${event.id}`,
        start_date: datePart(event.startdate),
        end_date: datePart(event.enddate),
        period: event.eventPeriod ?? null,
        ended: event.eventEnded === null || event.eventEnded === undefined ? null : Boolean(event.eventEnded),
        city: event.location_city ?? null,
        country: event.location_country?.toUpperCase() ?? null,
        country_name: event.location_country_human ?? null,
        cover_image: event.cover_image ?? null,
        category_groups: event.categoryGroups ?? [],
      });
    }
  }
  const records = [...byId.values()].sort(
    (a, b) => (a.start_date ?? '').localeCompare(b.start_date ?? '') || Number(a.event_id) - Number(b.event_id),
  );
  return { records, pages: parsed.pages.length, truncated: parsed.truncated };
}

function datePart(value: string | null | undefined): string | null {
  const match = value === null || value === undefined ? null : /^(\d{4}-\d{2}-\d{2})/.exec(value);
  return match?.[1] ?? null;
}

function absoluteUrl(host: string, value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  try {
    const url = new URL(value, `https://${host}/`);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : null;
  } catch {
    return null;
  }
}
