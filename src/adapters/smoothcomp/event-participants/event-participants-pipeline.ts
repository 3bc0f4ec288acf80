import { z } from 'zod';
import type { JsonObject } from '../../../core/job.js';
import type { PipelineDefinition } from '../../../core/pipeline.js';
import { numericId, SMOOTHCOMP_ALLOWED_HOSTS, smoothcompHost, smoothcompUrl, bodyText } from '../smoothcomp-scope.js';
import { csrfTokenOf, parseEventParticipants, type ParsedParticipants } from './parse-event-participants.js';
import { splitDivision } from './split-division.js';

export const EVENT_PARTICIPANTS = 'smoothcomp.event_participants';

const scopeSchema = z.strictObject({ host: smoothcompHost, event_id: numericId });
export type EventParticipantsScope = z.infer<typeof scopeSchema>;


/**
 * The event page first (for the CSRF token its XHR calls carry), then
 * `POST /en/event/{id}/participants` with `{}` as an XMLHttpRequest.
 */
export const eventParticipantsPipeline: PipelineDefinition<EventParticipantsScope, JsonObject, ParsedParticipants> = {
  name: EVENT_PARTICIPANTS,
  scopeSchema,
  paramsSchema: z.strictObject({}),
  parserVersion: '1',
  normalizerVersion: '1',
  allowedHosts: SMOOTHCOMP_ALLOWED_HOSTS,
  maxRequests: 2,
  planRequests({ scope, fetched }) {
    if (fetched.length === 0) {
      const url = smoothcompUrl(scope.host, `event/${scope.event_id}`);
      return [{ resourceType: 'event_page', resourceKey: `/en/event/${scope.event_id}`, method: 'GET', url }];
    }
    if (fetched.length > 1) return [];
    const token = csrfTokenOf(bodyText(fetched[0]!.body));
    return [
      {
        resourceType: 'event_participants',
        resourceKey: `/en/event/${scope.event_id}/participants`,
        method: 'POST',
        url: smoothcompUrl(scope.host, `event/${scope.event_id}/participants`),
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'x-requested-with': 'XMLHttpRequest',
          ...(token === undefined ? {} : { 'x-csrf-token': token }),
        },
        body: '{}',
      },
    ];
  },
  parse({ fetched }) {
    const response = fetched.find((r) => r.resourceType === 'event_participants');
    if (response === undefined) return { divisions: [], categoryValues: new Map() };
    return parseEventParticipants(bodyText(response.body), `event participants ${response.resourceKey}`);
  },
  normalize({ scope, parsed }) {
    const seen = new Set<string>();
    const records: { id: number; division: string; record: JsonObject }[] = [];
    for (const division of parsed.divisions) {
      const parts = splitDivision(division.name);
      for (const r of division.registrations) {
        // The same registration listed twice in one division is one registration.
        const key = `${r.id}\u0000${division.name}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const values = (r.categories ?? []).flatMap((c) => {
          const value = c.category_value_id === null || c.category_value_id === undefined ? undefined : parsed.categoryValues.get(c.category_value_id);
          return value === undefined ? [] : [value];
        });
        const belt = values.find((v) => /^(belt|rank)$/i.test(v.kind))?.name ?? values.find((v) => /^level$/i.test(v.kind))?.name ?? null;
        const weight = (r.categories ?? []).map((c) => c.weight_measured).find((w) => w !== null && w !== undefined && w !== '');
        const names = [r.firstname, r.middle_name, r.lastname].map((n) => n?.trim() ?? '').filter((n) => n !== '');
        records.push({ id: r.id, division: division.name, record: {
          registration_id: String(r.id),
          event_id: scope.event_id,
          host: scope.host,
          athlete: {
            user_id: r.user_id === null || r.user_id === undefined ? null : String(r.user_id),
            first_name: r.firstname?.trim() || null,
            middle_name: r.middle_name?.trim() || null,
            last_name: r.lastname?.trim() || null,
            full_name: names.join(' ') || null,
            country: r.country?.trim().toUpperCase() || null,
            age: r.age ?? null,
          },
          club: { id: r.club_id === null || r.club_id === undefined ? null : String(r.club_id), name: r.clubName?.trim() || null },
          affiliation: r.affiliationName?.trim() || null,
          division: { name: division.name, ...parts, level: parts.level ?? belt },
          belt,
          weight_measured: weight === undefined ? null : Number(weight),
          seed: r.seed_position ?? null,
          approved: r.approved === null || r.approved === undefined ? null : Boolean(r.approved),
        } });
      }
    }
    records.sort((a, b) => a.id - b.id || a.division.localeCompare(b.division));
    return { records: records.map((r) => r.record), divisions: parsed.divisions.length };
  },
};
