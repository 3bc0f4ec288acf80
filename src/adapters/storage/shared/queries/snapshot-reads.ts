import { sql } from 'drizzle-orm';
import { gunzipSync } from 'node:zlib';
import type { ResourceValidators, SnapshotRecord } from '../../../../core/ingestion-store.js';
import { snapshotFromRow } from '../ingestion-rows.js';
import type { Row } from '../job-rows.js';
import type { SqlDialect } from '../sql-dialect.js';
import type { SqlSession } from '../sql-database.js';

/** Snapshot lookups: by job, by ids, by id, the body behind a sha256, and conditional-GET validators. */
export async function snapshotsOfJob(s: SqlSession, d: SqlDialect, jobId: string): Promise<SnapshotRecord[]> {
  const rows = await s.all<Row>(sql`SELECT * FROM raw_snapshots WHERE job_id = ${d.id(jobId)} ORDER BY attempt_number, id`);
  return rows.map((row) => snapshotFromRow(row, d));
}

export async function snapshotsWithIds(s: SqlSession, d: SqlDialect, ids: string[]): Promise<SnapshotRecord[]> {
  if (ids.length === 0) return [];
  const rows = await s.all<Row>(sql`SELECT * FROM raw_snapshots WHERE id IN ${ids.map((id) => d.id(id))}`);
  const byId = new Map(rows.map((row) => [String(row.id), snapshotFromRow(row, d)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

export async function snapshotById(s: SqlSession, d: SqlDialect, snapshotId: string): Promise<SnapshotRecord | null> {
  const rows = await s.all<Row>(sql`SELECT * FROM raw_snapshots WHERE id = ${d.id(snapshotId)}`);
  return rows[0] === undefined ? null : snapshotFromRow(rows[0], d);
}

export async function snapshotBody(s: SqlSession, d: SqlDialect, sha256: string): Promise<Uint8Array | null> {
  const rows = await s.all<Row>(sql`SELECT encoding, content FROM snapshot_bodies WHERE sha256 = ${sha256}`);
  const row = rows[0];
  return row === undefined ? null : new Uint8Array(gunzipSync(d.readBytes(row.content)));
}

/** The latest complete 2xx (or reused 304) snapshot of a resource, with the validators it was served with. */
export async function previousValidators(
  s: SqlSession,
  d: SqlDialect,
  pipeline: string,
  resourceType: string,
  resourceKey: string,
): Promise<ResourceValidators | null> {
  const rows = await s.all<Row>(sql`
    SELECT id, sha256, etag, last_modified, content_type FROM raw_snapshots
    WHERE pipeline = ${pipeline} AND resource_type = ${resourceType} AND resource_key = ${resourceKey}
      AND ((status >= 200 AND status < 300) OR not_modified = ${d.bool(true)}) AND truncated = ${d.bool(false)}
    ORDER BY id DESC LIMIT 1`);
  const row = rows[0];
  if (row === undefined) return null;
  const optional = (value: unknown) => (typeof value === 'string' ? value : null);
  return {
    snapshotId: String(row.id),
    sha256: String(row.sha256),
    etag: optional(row.etag),
    lastModified: optional(row.last_modified),
    contentType: optional(row.content_type),
  };
}
