import type { OutboxEvent } from '../../../core/outbox.js';
import { encodeOutboxCursor, type OutboxPosition } from './outbox-cursor.js';
import type { Row } from './job-rows.js';
import type { SqlDialect } from './sql-dialect.js';

const integer = (value: unknown): bigint => {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' || typeof value === 'string') return BigInt(value);
  throw new TypeError(`expected an integer, got ${typeof value}`);
};

/** The position a row reports in `tx` and `id` (tx null where the row has none). */
export function positionOfRow(tx: unknown, id: unknown): OutboxPosition | null {
  if (id === null || id === undefined) return null;
  return { tx: tx === null || tx === undefined ? 0n : integer(tx), id: integer(id) };
}

export function outboxEventFromRow(row: Row, d: SqlDialect): OutboxEvent {
  const position = positionOfRow(row.xact_id, row.id);
  if (position === null) throw new TypeError('an outbox row without an id');
  return {
    id: position.id.toString(),
    type: 'publication.created',
    cursor: encodeOutboxCursor(position),
    occurredAt: d.readTime(row.occurred_at),
    pipeline: String(row.pipeline),
    scopeKey: String(row.scope_key),
    scope: d.readJson(row.scope),
    publicationId: integer(row.publication_id).toString(),
    version: Number(row.version),
    envelopeHash: String(row.envelope_hash),
    supersedes: row.supersedes === null || row.supersedes === undefined ? null : integer(row.supersedes).toString(),
  };
}
