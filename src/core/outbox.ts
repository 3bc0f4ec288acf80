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
  read(request: ChangeFeedRequest): Promise<ChangeFeedPage>;
}
