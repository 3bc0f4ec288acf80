/**
 * A place in the outbox's order: after the event at (transaction, id). On PostgreSQL the
 * transaction is the inserting transaction's xid8; SQLite orders by id alone and uses 0.
 */
export interface OutboxPosition {
  tx: bigint;
  id: bigint;
}

export const OUTBOX_START: OutboxPosition = { tx: 0n, id: 0n };

const MAX = 2n ** 63n - 1n;
const TEXT = /^o1:(0|[1-9]\d{0,18}):(0|[1-9]\d{0,18})$/;

/** Opaque to clients: base64url of a versioned text, so its form can change behind the version. */
export function encodeOutboxCursor(position: OutboxPosition): string {
  return Buffer.from(`o1:${position.tx}:${position.id}`, 'utf8').toString('base64url');
}

/** The position a cursor names, or null when it is not one this code issued. */
export function decodeOutboxCursor(cursor: string): OutboxPosition | null {
  if (cursor.length === 0 || cursor.length > 64 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = TEXT.exec(text);
  if (match?.[1] === undefined || match[2] === undefined) return null;
  const position = { tx: BigInt(match[1]), id: BigInt(match[2]) };
  if (position.tx > MAX || position.id > MAX) return null;
  // One spelling per position: anything that does not encode back the same was not issued here.
  return encodeOutboxCursor(position) === cursor ? position : null;
}

export function compareOutboxPositions(a: OutboxPosition, b: OutboxPosition): number {
  if (a.tx !== b.tx) return a.tx < b.tx ? -1 : 1;
  return a.id === b.id ? 0 : a.id < b.id ? -1 : 1;
}

export function laterOutboxPosition(a: OutboxPosition, b: OutboxPosition): OutboxPosition {
  return compareOutboxPositions(a, b) >= 0 ? a : b;
}
