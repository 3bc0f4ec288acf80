import type { JsonObject } from './job.js';

export type OutboxEventType = 'publication.created';

/** One event of the change feed, written in the same transaction as the publication it announces. */
export interface OutboxEvent {
  /** Stable identity of the event (the webhook-id of its deliveries). */
  id: string;
  type: OutboxEventType;
  /** Opaque: read the feed after it to get the events that follow this one. */
  cursor: string;
  occurredAt: Date;
  pipeline: string;
  scopeKey: string;
  scope: JsonObject;
  publicationId: string;
  version: number;
  envelopeHash: string;
  supersedes: string | null;
}

export interface ChangeFeedRequest {
  /** Events after this cursor; from the oldest retained when absent. */
  after?: string;
  limit: number;
  pipeline?: string;
  scopeKey?: string;
}

export type ChangeFeedPage =
  | { ok: true; events: OutboxEvent[]; nextCursor: string }
  | { ok: false; reason: 'cursor_expired'; oldestCursor: string }
  | { ok: false; reason: 'invalid_cursor' };

/**
 * Reads the outbox in an order no later commit can break: an event is returned only once every
 * transaction that could still add an event before it has finished.
 */
export interface ChangeFeed {
  /**
   * Up to `limit` events after the cursor, oldest first, and the cursor to read after them. An
   * empty page's `nextCursor` may still move on (past events other filters matched), never back.
   * `limit` must be a whole number from 1 to CHANGE_FEED_MAX_LIMIT (RangeError otherwise).
   */
  read(request: ChangeFeedRequest): Promise<ChangeFeedPage>;
  /**
   * Resolves `true` as soon as events may have been added (read again to see), or `false` once
   * `timeoutMs` has passed or `signal` is aborted. A wake-up is a hint, and an event can become
   * readable without one (on PostgreSQL when an older transaction that wrote no event ends; on
   * SQLite when another process wrote it), so a long poll waits in slices of at most
   * CHANGE_FEED_RECHECK_MS and reads after each.
   */
  waitForChange(signal: AbortSignal, timeoutMs: number): Promise<boolean>;
}

/** The largest page a single read returns. */
export const CHANGE_FEED_MAX_LIMIT = 1000;

/** The longest a long poll should wait on waitForChange before reading again anyway. */
export const CHANGE_FEED_RECHECK_MS = 1000;

/** Keeps the outbox to its retention period. */
export interface OutboxRetention {
  /**
   * Removes events that occurred more than `retentionMs` before the database's now, oldest first,
   * and remembers the newest one removed: a cursor before it then reads `cursor_expired`.
   */
  prune(retentionMs: number): Promise<{ deleted: number }>;
}
