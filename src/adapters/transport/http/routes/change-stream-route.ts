import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { requestSignal } from '../../../../application/read-changes.js';
import { CHANGE_FEED_RECHECK_MS, type ChangeFeed, type OutboxEvent } from '../../../../core/outbox.js';
import { changeEventResource, changeStreamHeaders, changeStreamQuery, expiredCursorProblemSchema } from '../change-resource.js';
import { HttpProblem, problemSchema } from '../problem.js';
import { feedRequest, invalidCursor, sendExpiredCursor } from './change-feed-route.js';

export interface ChangeStreamOptions {
  /** A comment line is sent after this long without anything else, so proxies and clients see the stream is alive. */
  heartbeatMs: number;
  /** Streams this process serves at once; the next is refused with 503. */
  maxStreams: number;
}

/** Events read per round trip while a stream catches up. */
const STREAM_PAGE = 100;
/** What a browser's EventSource waits before reconnecting, sent once at the start. */
const RETRY_MS = 2_000;

/** One event in the text/event-stream format: the cursor as its id, the type as its event name. */
function eventFrame(event: OutboxEvent): string {
  return `id: ${event.cursor}\nevent: ${event.type}\ndata: ${JSON.stringify(changeEventResource(event))}\n\n`;
}

/** Writes, and waits for the socket to drain when its buffer is full, unless the stream ends first. */
async function write(response: ServerResponse, text: string, signal: AbortSignal): Promise<void> {
  if (response.write(text) || signal.aborted) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      response.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    response.once('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * GET /changes/stream: the change feed as server-sent events. Each event's id is its cursor, so a
 * reconnecting client (Last-Event-ID) resumes right after the last event it received. The cursor is
 * checked before the stream starts (400, 410 as for the page route); the stream then runs until the
 * client goes away or the server closes.
 */
export function registerChangeStreamRoute(app: FastifyInstance, feed: ChangeFeed, closing: AbortSignal, options: ChangeStreamOptions): void {
  let open = 0;
  app.withTypeProvider<ZodTypeProvider>().get('/changes/stream', {
    schema: {
      operationId: 'streamChanges',
      summary: 'The change feed as server-sent events',
      description:
        'Each event: `id:` its cursor, `event:` its type, `data:` the event as JSON (as in GET /changes). Reconnect with ' +
        'Last-Event-ID (EventSource does) to resume right after the last event received. Lines starting with `:` are heartbeats.',
      tags: ['changes'],
      querystring: changeStreamQuery,
      headers: changeStreamHeaders,
      response: { 200: z.string(), 400: problemSchema, 401: problemSchema, 410: expiredCursorProblemSchema, 503: problemSchema },
      responseDocs: {
        200: {
          description: 'The stream; it stays open, sending events as they are published and a heartbeat comment when idle',
          content: { 'text/event-stream': { schema: { type: 'string', description: 'Server-sent events' } } },
        },
        410: { description: 'The cursor is older than the retained events; `oldest_cursor` says where the feed now starts' },
        503: { description: 'This process serves as many streams as it allows (CHANGES_SSE_MAX_STREAMS), or it is shutting down; retry later' },
      },
    },
    handler: async (request, reply) => {
      const lastEventId = request.headers['last-event-id'];
      const field = lastEventId === undefined ? 'query.after' : 'headers.last-event-id';
      const after = lastEventId ?? request.query.after;
      const { pipeline, scope_key: scopeKey } = request.query;
      if (open >= options.maxStreams) {
        throw new HttpProblem(503, `this process already serves ${options.maxStreams} streams; retry later`, undefined, { 'retry-after': '5' });
      }
      if (closing.aborted) throw new HttpProblem(503, 'the service is shutting down; retry later', undefined, { 'retry-after': '1' });
      // The slot is taken before the first read, so requests arriving together cannot all pass the check.
      open += 1;
      let first: Awaited<ReturnType<ChangeFeed['read']>>;
      try {
        // Checked before the stream starts, while a status code can still say what is wrong.
        first = await feed.read(feedRequest(after, STREAM_PAGE, pipeline, scopeKey));
      } catch (error) {
        open -= 1;
        throw error;
      }
      if (!first.ok) {
        open -= 1;
        if (first.reason === 'invalid_cursor') throw invalidCursor(field);
        return sendExpiredCursor(request, reply, field, first.oldestCursor);
      }

      const { signal, abort, release } = requestSignal(closing);
      const response = reply.raw;
      response.once('close', abort);
      reply.hijack();
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
        'x-request-id': request.id,
        // A stream ends only when one side goes away; its connection is not reused after it.
        connection: 'close',
      });
      let lastWrite = Date.now();
      const send = async (text: string) => {
        await write(response, text, signal);
        lastWrite = Date.now();
      };
      try {
        await send(`retry: ${RETRY_MS}\n: the change feed\n\n`);
        let page = first;
        for (;;) {
          for (const event of page.events) {
            if (signal.aborted) return;
            await send(eventFrame(event));
          }
          // Caught up: wait for a hint (at most the recheck interval), or say it is alive when idle.
          if (page.events.length < STREAM_PAGE) {
            const idle = Date.now() - lastWrite;
            if (idle >= options.heartbeatMs) await send(': heartbeat\n\n');
            else await feed.waitForChange(signal, Math.min(CHANGE_FEED_RECHECK_MS, options.heartbeatMs - idle));
          }
          if (signal.aborted) return;
          const next = await feed.read(feedRequest(page.nextCursor, STREAM_PAGE, pipeline, scopeKey));
          // Events removed under a stream that fell that far behind: end it; the reconnect gets the 410.
          if (!next.ok) return;
          page = next;
        }
      } catch (error) {
        request.log.warn({ err: error }, 'change stream ended by an error');
      } finally {
        open -= 1;
        release();
        response.off('close', abort);
        if (!response.writableEnded) response.end();
      }
    },
  });
}
