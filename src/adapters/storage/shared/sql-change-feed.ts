import { CHANGE_FEED_MAX_LIMIT, type ChangeFeed, type ChangeFeedPage, type ChangeFeedRequest, type OutboxRetention } from '../../../core/outbox.js';
import {
  compareOutboxPositions,
  decodeOutboxCursor,
  encodeOutboxCursor,
  laterOutboxPosition,
  OUTBOX_START,
} from './outbox-cursor.js';
import type { OutboxReadQuery, OutboxReadRows } from './outbox-read.js';
import { outboxEventFromRow } from './outbox-rows.js';
import type { SqlDialect } from './sql-dialect.js';

/** What each dialect supplies: its read and prune queries and its way of hearing about new events. */
export interface ChangeFeedSpecifics {
  read(query: OutboxReadQuery): Promise<OutboxReadRows>;
  prune(retentionMs: number, batch: number): Promise<number>;
  /** Calls `listener` when an outbox event may have been committed; returns how to stop. */
  onChange(listener: () => void): () => void;
}

/** Events removed per prune transaction; prune repeats until fewer are left. */
const PRUNE_BATCH = 5_000;

/** The change feed over either database: cursors, expiry and paging; the dialect reads. */
export class SqlChangeFeed implements ChangeFeed, OutboxRetention {
  constructor(
    private readonly d: SqlDialect,
    private readonly specifics: ChangeFeedSpecifics,
  ) {}

  async read(request: ChangeFeedRequest): Promise<ChangeFeedPage> {
    const { limit } = request;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > CHANGE_FEED_MAX_LIMIT) {
      throw new RangeError(`limit must be a whole number from 1 to ${CHANGE_FEED_MAX_LIMIT}, not ${limit}`);
    }
    const after = request.after === undefined ? OUTBOX_START : decodeOutboxCursor(request.after);
    if (after === null) return { ok: false, reason: 'invalid_cursor' };
    const seen = await this.specifics.read({
      after,
      limit,
      ...(request.pipeline === undefined ? {} : { pipeline: request.pipeline }),
      ...(request.scopeKey === undefined ? {} : { scopeKey: request.scopeKey }),
    });
    // Every position this feed ever handed out is at or before the newest readable or pruned event.
    const newest = seen.head === null ? seen.pruned : laterOutboxPosition(seen.head, seen.pruned);
    if (compareOutboxPositions(after, newest) > 0) return { ok: false, reason: 'invalid_cursor' };
    // Events after this cursor were removed before it read them: say so, and where to start again.
    if (request.after !== undefined && compareOutboxPositions(after, seen.pruned) < 0) {
      return { ok: false, reason: 'cursor_expired', oldestCursor: encodeOutboxCursor(seen.pruned) };
    }
    const events = seen.events.map((row) => outboxEventFromRow(row, this.d));
    const last = events.at(-1);
    // A short page read every readable event after `after`, whatever the filters kept: the next
    // read may start at the head. A full page continues after its last event.
    const next =
      events.length === limit && last !== undefined
        ? last.cursor
        : encodeOutboxCursor(laterOutboxPosition(laterOutboxPosition(after, seen.pruned), seen.head ?? OUTBOX_START));
    return { ok: true, events, nextCursor: next };
  }

  waitForChange(signal: AbortSignal, timeoutMs: number): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const finish = (changed: boolean) => {
        clearTimeout(timer);
        stop();
        signal.removeEventListener('abort', onAbort);
        resolve(changed);
      };
      const onAbort = () => finish(false);
      const timer = setTimeout(() => finish(false), Math.max(0, timeoutMs));
      const stop = this.specifics.onChange(() => finish(true));
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  async prune(retentionMs: number): Promise<{ deleted: number }> {
    let deleted = 0;
    for (;;) {
      const removed = await this.specifics.prune(retentionMs, PRUNE_BATCH);
      deleted += removed;
      if (removed < PRUNE_BATCH) return { deleted };
    }
  }
}
