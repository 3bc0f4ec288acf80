import { sql } from 'drizzle-orm';
import type { PublicationPlacement } from '../../../../core/publication-envelope.js';
import type { JsonObject } from '../../../../core/job.js';
import type { SqlDialect } from '../sql-dialect.js';
import type { SqlSession } from '../sql-database.js';

/**
 * Announces a publication in the outbox, in the publication's own transaction: the event exists
 * exactly when the publication does. On PostgreSQL the column default records the inserting
 * transaction (xact_id), which the reader orders by.
 */
export async function insertOutboxEvent(
  s: SqlSession,
  d: SqlDialect,
  publication: { id: string; placement: PublicationPlacement; scope: JsonObject; envelopeHash: string },
): Promise<void> {
  const { placement } = publication;
  await s.run(sql`
    INSERT INTO outbox_events (type, occurred_at, pipeline, scope_key, scope, publication_id, version, envelope_hash, supersedes)
    VALUES ('publication.created', ${s.now}, ${placement.pipeline}, ${placement.scopeKey}, ${d.json(publication.scope)},
      ${d.id(publication.id)}, ${placement.version}, ${publication.envelopeHash},
      ${placement.supersedes === null ? null : d.id(placement.supersedes)})`);
}
