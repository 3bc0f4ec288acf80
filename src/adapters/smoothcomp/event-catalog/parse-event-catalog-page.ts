import { z } from 'zod';
import { JobError } from '../../../core/job-error.js';
import { embeddedJsonArray } from '../embedded-json.js';

const text = z.string().trim().min(1).nullish().catch(null);

/** One item of the page's `var events = [...]`; fields other than id and title may be missing. */
export const rawCatalogEvent = z.object({
  id: z.union([z.int().positive(), z.string().regex(/^\d+$/).transform(Number)]),
  title: z.string().trim().min(1),
  url: z.string().nullish().catch(null),
  startdate: text,
  enddate: text,
  eventPeriod: text,
  eventEnded: z.union([z.boolean(), z.int()]).nullish().catch(null),
  location_city: text,
  location_country: text,
  location_country_human: text,
  cover_image: text,
  categoryGroups: z.array(z.union([z.string(), z.object({ name: z.string() }).transform((g) => g.name)])).nullish().catch(null),
});

export type RawCatalogEvent = z.infer<typeof rawCatalogEvent>;

/**
 * The events of one catalog page. A page without the `events` assignment is markup drift and fails
 * as a parse error; `var events = []` is a genuinely empty page.
 */
export function parseEventCatalogPage(html: string, where: string): RawCatalogEvent[] {
  const items = embeddedJsonArray(html, 'events', where);
  return items.map((item, index) => {
    const parsed = rawCatalogEvent.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new JobError('parse', 'EVENT_ITEM_UNEXPECTED', `${where}: event ${index} ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
    }
    return parsed.data;
  });
}
