import { CHANGE_FEED_RECHECK_MS, type ChangeFeed, type ChangeFeedPage, type ChangeFeedRequest } from '../core/outbox.js';

/**
 * One page of the change feed, waiting up to `waitMs` for an event when there is none yet (a long
 * poll). Reads; while the page is empty and time is left, waits for the feed's change hint (at most
 * CHANGE_FEED_RECHECK_MS at a time, since an event can become readable without a hint) and reads
 * again from the page's cursor. Returns the first page with events, or a refusal, or the last empty
 * page once the time is up or `signal` aborts (the client went away, or the server is closing).
 * Nothing it starts outlives it: every wait ends with the promise.
 */
export async function readChanges(feed: ChangeFeed, request: ChangeFeedRequest, waitMs: number, signal: AbortSignal): Promise<ChangeFeedPage> {
  const deadline = Date.now() + waitMs;
  let next = request;
  for (;;) {
    const page = await feed.read(next);
    if (!page.ok || page.events.length > 0) return page;
    const left = deadline - Date.now();
    if (left <= 0 || signal.aborted) return page;
    await feed.waitForChange(signal, Math.min(CHANGE_FEED_RECHECK_MS, left));
    next = { ...request, after: page.nextCursor };
  }
}

/**
 * An abort signal for one request: aborted when the client goes away or when `closing` aborts
 * (the server shuts down). `release` detaches it from `closing`; call it when the request ends so
 * a long-lived server signal does not collect a listener per request.
 */
export function requestSignal(closing: AbortSignal): { signal: AbortSignal; abort: () => void; release: () => void } {
  const controller = new AbortController();
  const abort = () => controller.abort();
  if (closing.aborted) controller.abort();
  else closing.addEventListener('abort', abort, { once: true });
  return { signal: controller.signal, abort, release: () => closing.removeEventListener('abort', abort) };
}
