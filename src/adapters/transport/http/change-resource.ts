import { z } from 'zod';
import type { OutboxEvent } from '../../../core/outbox.js';
import { CHANGE_FEED_MAX_LIMIT } from '../../../core/outbox.js';
import { jsonObjectSchema } from './json-value.js';
import { problemSchema } from './problem.js';
import { storableText } from './request-fields.js';

/** The page size when `limit` is not given. */
export const CHANGES_DEFAULT_LIMIT = 100;
/** The longest long poll a request may ask for, in seconds. */
export const CHANGES_MAX_WAIT_SEC = 60;

export const changeEventSchema = z
  .object({
    id: z.string().describe('Stable identity of the event: deliveries of it carry this id'),
    type: z.enum(['publication.created']),
    cursor: z.string().describe('Opaque: pass as `after` (or Last-Event-ID) to read the events that follow this one'),
    occurred_at: z.iso.datetime({ offset: true }),
    pipeline: z.string(),
    scope_key: z.string(),
    scope: jsonObjectSchema,
    publication_id: z.string(),
    version: z.int().describe('1, 2, 3… per (pipeline, scope_key)'),
    envelope_hash: z.string(),
    supersedes: z.string().nullable().describe('The publication this one replaces'),
  })
  .meta({ id: 'ChangeEvent' });

export type ChangeEventResource = z.infer<typeof changeEventSchema>;

export const changePageSchema = z
  .object({
    events: z.array(changeEventSchema).describe('Oldest first'),
    next_cursor: z.string().describe('Pass as `after` for the next page; never null, never behind `after` (an empty page may move it past events the filters skipped)'),
  })
  .meta({ id: 'ChangePage' });

export const expiredCursorProblemSchema = problemSchema
  .extend({ oldest_cursor: z.string().describe('The oldest cursor still valid: read `after` it to continue from the oldest retained event') })
  .meta({ id: 'ExpiredCursorProblem' });

const cursorField = () => storableText().min(1).max(500);

/** The filters both the page and the stream take. */
export const changeFilters = {
  pipeline: storableText().min(1).max(200).optional().describe('Only events of this pipeline'),
  scope_key: storableText().min(1).max(4000).optional().describe('Only events of this scope (its scope_key); usually with pipeline'),
};

export const changePageQuery = z.strictObject({
  after: cursorField().optional().describe('A cursor from an earlier answer; from the oldest retained event when absent'),
  limit: z.coerce.number().int().min(1).max(CHANGE_FEED_MAX_LIMIT).default(CHANGES_DEFAULT_LIMIT).describe(`At most ${CHANGE_FEED_MAX_LIMIT}; ${CHANGES_DEFAULT_LIMIT} when absent`),
  wait: z.coerce
    .number()
    .min(0)
    .max(CHANGES_MAX_WAIT_SEC)
    .default(0)
    .describe(`Seconds (up to ${CHANGES_MAX_WAIT_SEC}) to wait for an event when there is none after the cursor yet; the answer comes as soon as one is readable, or empty when the time is up`),
  ...changeFilters,
});

export const changeStreamQuery = z.strictObject({
  after: cursorField().optional().describe('Where to start when there is no Last-Event-ID header; from the oldest retained event when neither is given'),
  ...changeFilters,
});

export const changeStreamHeaders = z.looseObject({
  'last-event-id': cursorField().optional().describe('The id (cursor) of the last event received: the stream resumes right after it. Wins over `after`'),
});

export function changeEventResource(event: OutboxEvent): ChangeEventResource {
  return {
    id: event.id,
    type: event.type,
    cursor: event.cursor,
    occurred_at: event.occurredAt.toISOString(),
    pipeline: event.pipeline,
    scope_key: event.scopeKey,
    scope: event.scope,
    publication_id: event.publicationId,
    version: event.version,
    envelope_hash: event.envelopeHash,
    supersedes: event.supersedes,
  };
}
