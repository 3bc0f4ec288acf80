import { load } from 'cheerio';
import { z } from 'zod';
import { JobError } from '../../../core/job-error.js';
import { embeddedJsonArray } from '../embedded-json.js';

export interface RawAcademy {
  id: number;
  name: string;
  country: string | null;
  city: string | null;
  affiliation: string | null;
  membersCount: number | null;
  members: { profileId: string; name: string }[] | null;
}

const listed = z.object({
  id: z.union([z.int().positive(), z.string().regex(/^\d+$/).transform(Number)]),
  name: z.string().trim().min(1),
  city: z.string().nullish().catch(null),
  country: z.string().nullish().catch(null),
  affiliation: z.string().nullish().catch(null),
  members_count: z.union([z.int(), z.string().regex(/^\d+$/).transform(Number)]).nullish().catch(null),
});

/** A club listing page: `var clubs = [...]`. Its absence is drift; `[]` is the end of the listing. */
export function parseClubListingPage(html: string, where: string): RawAcademy[] {
  const items = embeddedJsonArray(html, 'clubs', where);
  return items.map((item, index) => {
    const parsed = listed.safeParse(item);
    if (!parsed.success) throw new JobError('parse', 'CLUB_ITEM_UNEXPECTED', `${where}: club ${index} has no usable id or name`);
    const c = parsed.data;
    return { id: c.id, name: c.name, country: c.country ?? null, city: c.city ?? null, affiliation: c.affiliation ?? null, membersCount: c.members_count ?? null, members: null };
  });
}

/** A club page: name in `h1.club-name`, the rest where present, members linked to their profiles. */
export function parseClubPage(html: string, clubId: number, where: string): RawAcademy {
  const $ = load(html);
  const name = $('h1.club-name').first().text().trim();
  if (name === '') throw new JobError('parse', 'CLUB_NAME_NOT_FOUND', `${where}: no h1.club-name on the club page`);
  const textOf = (selector: string) => $(selector).first().text().trim() || null;
  const members = $('ul.club-members a.profile')
    .toArray()
    .flatMap((a) => {
      const id = /\/profile\/(\d{1,12})\b/.exec($(a).attr('href') ?? '')?.[1];
      const memberName = $(a).text().trim();
      return id === undefined || memberName === '' ? [] : [{ profileId: id, name: memberName }];
    });
  const count = Number(textOf('.club-members-count')?.replace(/\D/g, '') ?? NaN);
  return {
    id: clubId,
    name,
    country: $('[data-country]').first().attr('data-country') ?? null,
    city: textOf('.club-city'),
    affiliation: textOf('.club-affiliation'),
    membersCount: Number.isNaN(count) ? members.length : count,
    members,
  };
}
