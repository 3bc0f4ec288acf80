import { load } from 'cheerio';
import { z } from 'zod';
import { JobError } from '../../../core/job-error.js';

const optional = z.string().trim().min(1).nullish().catch(null);

const sportsEvent = z.object({
  name: z.string().trim().min(1),
  startDate: optional,
  endDate: optional,
  image: z.union([z.string(), z.array(z.string())]).nullish().catch(null),
  description: optional,
  location: z
    .object({
      name: optional,
      address: z.union([z.string(), z.object({ streetAddress: optional, addressLocality: optional, addressCountry: optional }).passthrough()]).nullish().catch(null),
    })
    .nullish()
    .catch(null),
  organizer: z.object({ name: optional }).nullish().catch(null),
});

const infoPanels = z.object({
  location_city: optional,
  location_country_human: optional,
  location_name: optional,
  location_address: optional,
  organizer: z.object({ name: optional }).nullish().catch(null),
});

export type SportsEvent = z.infer<typeof sportsEvent>;
export type InfoPanels = z.infer<typeof infoPanels>;

/** The JSON-LD SportsEvent of an event page; its absence is markup drift. */
export function parseEventPage(html: string, where: string): SportsEvent {
  const $ = load(html);
  for (const script of $('script[type="application/ld+json"]').toArray()) {
    let data: unknown;
    try {
      data = JSON.parse($(script).text());
    } catch {
      continue;
    }
    for (const item of Array.isArray(data) ? data : [data]) {
      if (typeof item === 'object' && item !== null && (item as { '@type'?: unknown })['@type'] === 'SportsEvent') {
        const parsed = sportsEvent.safeParse(item);
        if (parsed.success) return parsed.data;
        throw new JobError('parse', 'SPORTS_EVENT_UNEXPECTED', `${where}: the SportsEvent has no usable name`);
      }
    }
  }
  throw new JobError('parse', 'SPORTS_EVENT_NOT_FOUND', `${where}: no JSON-LD SportsEvent in the event page; the markup may have changed`);
}

export function parseInfoPanels(body: string, where: string): InfoPanels {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (error) {
    throw new JobError('parse', 'INFO_PANELS_NOT_JSON', `${where}: getInfoPanelsData did not answer JSON`, { cause: error });
  }
  const parsed = infoPanels.safeParse(data);
  if (!parsed.success) throw new JobError('parse', 'INFO_PANELS_UNEXPECTED', `${where}: getInfoPanelsData is not an object`);
  return parsed.data;
}
