import type { Row } from './job-rows.js';
import type { OutboxPosition } from './outbox-cursor.js';

/** What one read of the outbox saw, all on one snapshot. */
export interface OutboxReadRows {
  /** The newest event retention removed (OUTBOX_START when none was). */
  pruned: OutboxPosition;
  /** The newest event a reader may see now, or null when there is none. */
  head: OutboxPosition | null;
  /** Up to the limit of the readable events after the position asked for, in order. */
  events: Row[];
}

export interface OutboxReadQuery {
  after: OutboxPosition;
  limit: number;
  pipeline?: string;
  scopeKey?: string;
}
