import { load } from 'cheerio';
import { z } from 'zod';
import { JobError } from '../../../core/job-error.js';

const optionalText = z.union([z.string(), z.number().transform(String)]).nullish().catch(null);
const optionalId = z.union([z.int(), z.string().regex(/^\d+$/).transform(Number)]).nullish().catch(null);

export const rawRegistration = z.object({
  id: z.union([z.int().positive(), z.string().regex(/^\d+$/).transform(Number)]),
  user_id: optionalId,
  firstname: optionalText,
  middle_name: optionalText,
  lastname: optionalText,
  clubName: optionalText,
  club_id: optionalId,
  affiliationName: optionalText,
  country: optionalText,
  age: z.union([z.int(), z.string().regex(/^\d+$/).transform(Number)]).nullish().catch(null),
  gender: optionalText,
  approved: z.union([z.boolean(), z.int()]).nullish().catch(null),
  seed_position: z.union([z.int(), z.string().regex(/^\d+$/).transform(Number)]).nullish().catch(null),
  categories: z
    .array(z.object({ category_value_id: optionalId, weight_measured: z.union([z.number(), z.string()]).nullish().catch(null) }))
    .nullish()
    .catch(null),
});

const participantsResponse = z.object({
  participants: z.array(z.object({ name: z.string(), registrations: z.array(z.unknown()) })),
  categories: z
    .array(z.object({ event_category_id: optionalId, category_name: z.string(), id: z.union([z.int(), z.string().regex(/^\d+$/).transform(Number)]), name: z.string() }))
    .default([]),
});

export type RawRegistration = z.infer<typeof rawRegistration>;

export interface ParsedParticipants {
  divisions: { name: string; registrations: RawRegistration[] }[];
  /** category value id -> (category kind, value), e.g. 31 -> Belt / Blue */
  categoryValues: Map<number, { kind: string; name: string }>;
}

/** The CSRF token the event page offers for its XHR calls, if any. */
export function csrfTokenOf(eventPageHtml: string): string | undefined {
  const token = load(eventPageHtml)('meta[name="csrf-token"]').attr('content')?.trim();
  return token === undefined || token === '' || token.length > 500 ? undefined : token;
}

/** The participants JSON; anything else (an HTML page, another shape) is a classified parse error. */
export function parseEventParticipants(body: string, where: string): ParsedParticipants {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new JobError('parse', 'PARTICIPANTS_NOT_JSON', `${where}: the participants response is not JSON`, { cause: error });
  }
  const parsed = participantsResponse.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new JobError('parse', 'PARTICIPANTS_UNEXPECTED_SHAPE', `${where}: ${issue?.path.join('.') || 'response'}: ${issue?.message ?? 'unexpected shape'}`);
  }
  const divisions = parsed.data.participants.map((division) => ({
    name: division.name,
    registrations: division.registrations.map((item, index) => {
      const registration = rawRegistration.safeParse(item);
      if (!registration.success) {
        throw new JobError('parse', 'REGISTRATION_UNEXPECTED', `${where}: ${division.name}: registration ${index} has no usable id`);
      }
      return registration.data;
    }),
  }));
  const categoryValues = new Map(parsed.data.categories.map((c) => [c.id, { kind: c.category_name, name: c.name }]));
  return { divisions, categoryValues };
}
