import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { readChanges, requestSignal } from '../../../../application/read-changes.js';
import type { ChangeFeed, ChangeFeedRequest } from '../../../../core/outbox.js';
import { changeEventResource, changePageQuery, changePageSchema, expiredCursorProblemSchema } from '../change-resource.js';
import { HttpProblem, problemDocument, problemSchema } from '../problem.js';

/**
 * The answer to a cursor older than what is retained: 410 with the oldest cursor still valid,
 * named in the document (`oldest_cursor`), so a consumer knows it missed events and where to go on.
 */
export function sendExpiredCursor(request: FastifyRequest, reply: FastifyReply, field: string, oldestCursor: string): FastifyReply {
  const message = 'this cursor is older than the retained events; events after it were removed';
  const document = {
    ...problemDocument(410, `${message}: continue after oldest_cursor, or resynchronise`, [{ field, message }]),
    instance: request.url.split('?')[0],
    request_id: request.id,
    oldest_cursor: oldestCursor,
  };
  return reply.code(410).type('application/problem+json').send(JSON.stringify(document));
}

export function invalidCursor(field: string): HttpProblem {
  return new HttpProblem(400, 'the cursor is not one this service issued', [{ field, message: 'not a cursor this service issued' }]);
}

/** Filters and cursor of a feed request, without the members left unset. */
export function feedRequest(after: string | undefined, limit: number, pipeline: string | undefined, scopeKey: string | undefined): ChangeFeedRequest {
  return {
    limit,
    ...(after === undefined ? {} : { after }),
    ...(pipeline === undefined ? {} : { pipeline }),
    ...(scopeKey === undefined ? {} : { scopeKey }),
  };
}

/** GET /changes: the change feed a page at a time, optionally waiting for the next event. */
export function registerChangeFeedRoute(app: FastifyInstance, feed: ChangeFeed, closing: AbortSignal): void {
  app.withTypeProvider<ZodTypeProvider>().get('/changes', {
    schema: {
      operationId: 'listChanges',
      summary: 'The change feed: every publication, in order, a page at a time',
      description:
        'Events oldest first after the cursor. Read again with `after` = `next_cursor` to continue; an empty page means ' +
        'nothing more yet. With `wait`, an empty read waits up to that many seconds and answers as soon as an event is readable.',
      tags: ['changes'],
      querystring: changePageQuery,
      response: { 200: changePageSchema, 400: problemSchema, 401: problemSchema, 410: expiredCursorProblemSchema },
      responseDocs: {
        200: { description: 'A page of events; empty when there is none after the cursor (yet)' },
        410: { description: 'The cursor is older than the retained events; `oldest_cursor` says where the feed now starts' },
      },
    },
    handler: async (request, reply) => {
      const q = request.query;
      const { signal, abort, release } = requestSignal(closing);
      // The client went away (or the answer was sent): stop waiting.
      reply.raw.once('close', abort);
      try {
        const page = await readChanges(feed, feedRequest(q.after, q.limit, q.pipeline, q.scope_key), q.wait * 1000, signal);
        // Cut short by a shutdown: the answer goes out, and the connection does not stay open after it.
        if (closing.aborted) reply.header('connection', 'close');
        if (!page.ok) {
          if (page.reason === 'invalid_cursor') throw invalidCursor('query.after');
          return sendExpiredCursor(request, reply, 'query.after', page.oldestCursor);
        }
        return { events: page.events.map(changeEventResource), next_cursor: page.nextCursor };
      } finally {
        release();
        reply.raw.off('close', abort);
      }
    },
  });
}
