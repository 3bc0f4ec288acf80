import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeFeed } from '../../src/core/outbox.js';
import { ageOutboxEvents } from '../support/database-clock.js';
import { waitFor } from '../support/wait-for.js';
import { auth, startApiHarness, type ApiHarness, type Dialect } from './api-harness.js';
import { openStream, publishScopes, type ChangeEventBody, type ChangePageBody } from './change-feed-client.js';

const HOUR = 3_600_000;

/**
 * The change feed over a real HTTP server on loopback, on both databases: pages, long poll,
 * server-sent events, expired and malformed cursors.
 */
describe.each<Dialect>(['sqlite', 'postgres'])('the change feed over HTTP (%s)', (dialect) => {
  let api: ApiHarness;
  let base = '';
  /** Waits in progress on the feed, counted around the storage's own waitForChange. */
  let activeWaits = 0;
  let waitsStarted = 0;

  const get = async (path: string, headers: Record<string, string> = auth) => {
    const response = await fetch(`${base}${path}`, { headers });
    return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as Record<string, unknown> };
  };
  const page = async (query: string): Promise<ChangePageBody> => {
    const answer = await get(`/internal/v1/changes?${query}`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body as unknown as ChangePageBody;
  };
  /** Every event after `after`, in pages of `limit`, and the cursor after the last. */
  const readAll = async (limit: number, filter = '', after?: string) => {
    const events: ChangeEventBody[] = [];
    let cursor = after;
    for (;;) {
      const got = await page(`limit=${limit}${filter}${cursor === undefined ? '' : `&after=${cursor}`}`);
      events.push(...got.events);
      cursor = got.next_cursor;
      if (got.events.length < limit) return { events, cursor };
    }
  };
  /** Events become readable once no older writing transaction is open (PostgreSQL): wait for them. */
  const readUntil = (count: number, limit = 1000, filter = '', after?: string) =>
    waitFor(`${count} readable events`, async () => {
      const read = await readAll(limit, filter, after);
      return read.events.length >= count ? read : undefined;
    });
  /** A cursor after everything published so far. */
  const headCursor = async (marker: string) => {
    await publishScopes(api, 'feed.marker', [marker]);
    return waitFor('the marker', async () => {
      const read = await readAll(1000);
      return read.events.at(-1)?.scope.name === marker ? read.cursor : undefined;
    });
  };

  beforeAll(async () => {
    api = await startApiHarness({ CHANGES_SSE_HEARTBEAT_SEC: '0.2', CHANGES_SSE_MAX_STREAMS: '2' }, [], dialect);
    const feed: ChangeFeed = api.storage.changes;
    const original = feed.waitForChange.bind(feed);
    feed.waitForChange = async (signal, timeoutMs) => {
      activeWaits += 1;
      waitsStarted += 1;
      try {
        return await original(signal, timeoutMs);
      } finally {
        activeWaits -= 1;
      }
    };
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await api.close();
  });

  it('pages through 1,000 events 37 at a time exactly as one read of 1,000, and filters by pipeline and scope', async () => {
    const start = await headCursor('paging-start');
    const names = Array.from({ length: 1000 }, (_, n) => `p${n}`);
    await publishScopes(api, 'feed.paging', names.slice(0, 500));
    await publishScopes(api, 'feed.other', ['x1', 'x2']);
    await publishScopes(api, 'feed.paging', names.slice(500));
    const whole = await readUntil(1000, 1000, '&pipeline=feed.paging', start);
    // A full page of 1,000, then an empty one: both kinds of page end the same way.
    expect(whole.events).toHaveLength(1000);
    const paged = await readAll(37, '&pipeline=feed.paging', start);
    expect(paged.events.map((e) => e.id)).toEqual(whole.events.map((e) => e.id));
    expect(new Set(paged.events.map((e) => e.scope.name))).toEqual(new Set(names));
    expect(paged.events[0]).toMatchObject({ type: 'publication.created', pipeline: 'feed.paging', version: 1, supersedes: null });

    const other = await readAll(10, `&pipeline=feed.other&scope_key=${encodeURIComponent(JSON.stringify({ name: 'x2' }))}`, start);
    expect(other.events.map((e) => e.scope)).toEqual([{ name: 'x2' }]);
    // Unfiltered, the default page is 100.
    expect((await page(`after=${start}`)).events).toHaveLength(100);
  });

  it('refuses bad parameters with 400 naming the field', async () => {
    const cases: [string, string][] = [
      ['limit=0', 'query.limit'],
      ['limit=1001', 'query.limit'],
      ['limit=ten', 'query.limit'],
      ['wait=61', 'query.wait'],
      ['wait=-1', 'query.wait'],
      ['after=not-a-cursor', 'query.after'],
      [`after=${Buffer.from('o1:999999999999999:1').toString('base64url')}`, 'query.after'],
      ['colour=red', 'query'],
    ];
    for (const [query, field] of cases) {
      const answer = await get(`/internal/v1/changes?${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.type).toContain('application/problem+json');
      const fields = (answer.body.errors as { field: string }[]).map((e) => e.field);
      expect(fields, query).toContain(field);
    }
    expect((await get('/internal/v1/changes', {})).status).toBe(401);
    expect((await get('/internal/v1/changes/stream', {})).status).toBe(401);
    const badResume = await get('/internal/v1/changes/stream', { ...auth, 'last-event-id': 'garbage' });
    expect(badResume.status).toBe(400);
    expect((badResume.body.errors as { field: string }[]).map((e) => e.field)).toEqual(['headers.last-event-id']);
  });

  it('long poll: answers with the event published during the wait', async () => {
    const cursor = await headCursor('wake-start');
    const startedBefore = waitsStarted;
    const polled = page(`after=${cursor}&wait=60`);
    await waitFor('the long poll to wait', () => waitsStarted > startedBefore);
    await publishScopes(api, 'feed.wake', ['woken']);
    const answer = await polled;
    expect(answer.events.map((e) => [e.pipeline, e.scope.name])).toEqual([['feed.wake', 'woken']]);
    expect(answer.next_cursor).toBe(answer.events[0]?.cursor);
  });

  it('long poll: an empty page with the same cursor when the time is up', async () => {
    const cursor = await headCursor('timeout-start');
    const answer = await page(`after=${cursor}&wait=0.3`);
    expect(answer).toEqual({ events: [], next_cursor: cursor });
  });

  it('long poll: a client that goes away ends the wait, leaving no waiter behind', async () => {
    const cursor = await headCursor('gone-start');
    await waitFor('no waits in progress', () => activeWaits === 0);
    const controller = new AbortController();
    const polled = fetch(`${base}/internal/v1/changes?after=${cursor}&wait=60`, { headers: auth, signal: controller.signal }).catch((error: unknown) => error);
    await waitFor('the long poll to wait', () => activeWaits > 0);
    controller.abort();
    expect(await polled).toBeInstanceOf(Error);
    await waitFor('the wait to end', () => activeWaits === 0);
  });

  it('streams events as server-sent events; reconnecting after event k gives k+1 on, with heartbeats when idle', async () => {
    const start = await headCursor('stream-start');
    await publishScopes(api, 'feed.stream', ['s1', 's2', 's3', 's4', 's5']);
    // Across scopes the feed's order is the order of the publishing transactions: take it from the page route.
    const order = (await readUntil(5, 1000, '&pipeline=feed.stream', start)).events;
    const first = await openStream(`${base}/internal/v1/changes/stream?pipeline=feed.stream&after=${start}`, auth);
    expect(first.response.status).toBe(200);
    expect(first.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const received = [];
    for (let i = 0; i < 5; i++) received.push(await first.nextEvent());
    expect(received.map((f) => f?.event)).toEqual(Array(5).fill('publication.created'));
    const bodies = received.map((f) => JSON.parse(f?.data ?? '{}') as ChangeEventBody);
    expect(bodies.map((b) => b.id)).toEqual(order.map((e) => e.id));
    expect(received.map((f) => f?.id)).toEqual(order.map((e) => e.cursor));
    // Idle now: a heartbeat comment comes.
    for (;;) {
      const frame = await first.next();
      if (frame?.comment === 'heartbeat') break;
      expect(frame).not.toBeNull();
    }
    // Live: an event published while the stream is open arrives on it.
    await publishScopes(api, 'feed.stream', ['s6']);
    const live = await first.nextEvent();
    expect((JSON.parse(live?.data ?? '{}') as ChangeEventBody).scope.name).toBe('s6');
    first.close();

    // Reconnect after the 2nd event: the 3rd on, exactly; Last-Event-ID wins over after.
    const resumed = await openStream(`${base}/internal/v1/changes/stream?pipeline=feed.stream&after=${start}`, { ...auth, 'last-event-id': received[1]?.id ?? '' });
    const again = [];
    for (let i = 0; i < 4; i++) again.push(JSON.parse((await resumed.nextEvent())?.data ?? '{}') as ChangeEventBody);
    expect(again.map((b) => b.id)).toEqual([...order.slice(2).map((e) => e.id), (JSON.parse(live?.data ?? '{}') as ChangeEventBody).id]);
    resumed.close();
  });

  it('refuses a stream past CHANGES_SSE_MAX_STREAMS with 503, and serves again once one closes', async () => {
    // Streams of earlier tests end once the server notices their clients left: wait for free slots.
    const openWhenFree = () =>
      waitFor('a free stream slot', async () => {
        const stream = await openStream(`${base}/internal/v1/changes/stream`, auth);
        if (stream.response.status === 200) return stream;
        stream.close();
        return undefined;
      });
    const one = await openWhenFree();
    const two = await openWhenFree();
    const third = await fetch(`${base}/internal/v1/changes/stream`, { headers: auth });
    expect(third.status).toBe(503);
    expect(third.headers.get('content-type')).toContain('application/problem+json');
    expect(third.headers.get('retry-after')).not.toBeNull();
    one.close();
    two.close();
    (await openWhenFree()).close();
  });

  it('answers 410 with the oldest valid cursor for a cursor older than the retained events, on both routes', async () => {
    const start = await headCursor('expiry-start');
    await publishScopes(api, 'feed.expiry', ['old1', 'old2']);
    const old = await readUntil(2, 1000, '&pipeline=feed.expiry', start);
    const config = api.config.database;
    await ageOutboxEvents(dialect, config.driver === 'postgres' ? config.dsn : config.path, 400 * HOUR);
    // A write transaction open anywhere in the cluster holds events back from pruning, as from reading.
    const expired = await waitFor('the aged events to be pruned', async () => {
      await api.storage.changes.prune(168 * HOUR);
      const answer = await get(`/internal/v1/changes?after=${old.events[0]?.cursor ?? ''}`);
      return answer.status === 200 ? undefined : answer;
    });
    expect(expired.status).toBe(410);
    expect(expired.type).toContain('application/problem+json');
    expect(expired.body).toMatchObject({ status: 410, oldest_cursor: expect.any(String) as string });
    // The oldest valid cursor reads on from the oldest retained event.
    expect((await get(`/internal/v1/changes?after=${String(expired.body.oldest_cursor)}`)).status).toBe(200);

    const stream = await get(`/internal/v1/changes/stream`, { ...auth, 'last-event-id': old.events[0]?.cursor ?? '' });
    expect(stream.status).toBe(410);
    expect(stream.body.oldest_cursor).toBe(expired.body.oldest_cursor);
  });

  it('never serves more than CHANGES_SSE_MAX_STREAMS streams to a burst of requests arriving together', async () => {
    const burst = await Promise.all(Array.from({ length: 10 }, () => openStream(`${base}/internal/v1/changes/stream`, auth)));
    try {
      const statuses = burst.map((stream) => stream.response.status);
      expect(statuses.filter((status) => status === 200).length).toBeLessThanOrEqual(2);
      expect(statuses.filter((status) => status !== 200 && status !== 503)).toEqual([]);
    } finally {
      for (const stream of burst) stream.close();
    }
  });
});

describe('the change feed when the API shuts down', () => {
  it('ends open streams and long polls so the server closes', async () => {
    const api = await startApiHarness({ CHANGES_SSE_HEARTBEAT_SEC: '30' });
    const feed: ChangeFeed = api.storage.changes;
    const original = feed.waitForChange.bind(feed);
    let waits = 0;
    feed.waitForChange = (signal, timeoutMs) => {
      waits += 1;
      return original(signal, timeoutMs);
    };
    try {
      await api.app.listen({ host: '127.0.0.1', port: 0 });
      const base = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
      const stream = await openStream(`${base}/internal/v1/changes/stream`, auth);
      expect(stream.response.status).toBe(200);
      const head = (await (await fetch(`${base}/internal/v1/changes`, { headers: auth })).json()) as ChangePageBody;
      await stream.next();
      const before = waits;
      const polled = fetch(`${base}/internal/v1/changes?after=${head.next_cursor}&wait=60`, { headers: auth });
      await waitFor('the long poll to wait', () => waits > before);
      await api.app.close();
      // The long poll answered (empty) and the stream ended: nothing held the server open.
      const answer = await polled;
      expect(answer.status).toBe(200);
      expect(((await answer.json()) as ChangePageBody).events).toEqual([]);
      for (;;) if ((await stream.next()) === null) break;
    } finally {
      await api.close();
    }
  });
});
