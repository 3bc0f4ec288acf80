import { sql } from 'drizzle-orm';
import { gzipSync } from 'node:zlib';
import type { SnapshotInput, SnapshotRecord } from '../../../../core/ingestion-store.js';
import { sha256Hex } from '../../../../core/sha256.js';
import { snapshotFromRow } from '../ingestion-rows.js';
import type { Row } from '../job-rows.js';
import type { SqlDialect } from '../sql-dialect.js';
import type { SqlSession } from '../sql-database.js';

/**
 * Appends one snapshot. The body goes into snapshot_bodies once per sha256 (gzip); a repeat of the
 * same resource and body in the same attempt returns the row already there.
 */
export async function insertSnapshot(s: SqlSession, d: SqlDialect, input: SnapshotInput): Promise<SnapshotRecord> {
  const sha256 = sha256Hex(input.body);
  await s.run(sql`
    INSERT INTO snapshot_bodies (sha256, encoding, size, content, created_at)
    VALUES (${sha256}, 'gzip', ${input.body.byteLength}, ${gzipSync(input.body)}, ${s.now})
    ON CONFLICT (sha256) DO NOTHING`);
  const key = sql`job_id = ${d.id(input.lease.jobId)} AND attempt_number = ${input.lease.attemptNumber}
    AND resource_type = ${input.resourceType} AND resource_key = ${input.resourceKey} AND sha256 = ${sha256}`;
  const inserted = await s.all<Row>(sql`
    INSERT INTO raw_snapshots (job_id, attempt_number, pipeline, scope_key, resource_type, resource_key, method, url,
      status, not_modified, truncated, etag, last_modified, content_type, size, sha256, fetched_at)
    VALUES (${d.id(input.lease.jobId)}, ${input.lease.attemptNumber}, ${input.pipeline}, ${input.scopeKey},
      ${input.resourceType}, ${input.resourceKey}, ${input.method}, ${input.url}, ${input.status},
      ${d.bool(input.notModified)}, ${d.bool(input.truncated)}, ${input.etag}, ${input.lastModified}, ${input.contentType},
      ${input.body.byteLength}, ${sha256}, ${s.now})
    ON CONFLICT (job_id, attempt_number, resource_type, resource_key, sha256) DO NOTHING
    RETURNING *`);
  const row = inserted[0] ?? (await s.all<Row>(sql`SELECT * FROM raw_snapshots WHERE ${key}`))[0];
  if (row === undefined) throw new Error('snapshot insert returned no row');
  return snapshotFromRow(row, d);
}
