import { sql } from 'drizzle-orm';
import type { NormalizedResultRecord, PublicationPage, PublicationRecord } from '../../../../core/ingestion-store.js';
import type { JsonObject } from '../../../../core/job.js';
import { decodeJobCursor, encodeJobCursor } from '../job-cursor.js';
import { normalizedResultFromRow, publicationFromRow } from '../ingestion-rows.js';
import type { Row } from '../job-rows.js';
import type { SqlDialect } from '../sql-dialect.js';
import type { SqlSession } from '../sql-database.js';

/** The latest publication of each scope of a pipeline whose scope matches the filter, newest first. */
export async function findLatestPublications(
  s: SqlSession,
  d: SqlDialect,
  pipeline: string,
  scopeFilter: JsonObject,
  limit: number,
): Promise<PublicationRecord[]> {
  const rows = await s.all<Row>(sql`
    SELECT p.* FROM published_results p
    WHERE p.pipeline = ${pipeline} AND ${d.jsonContains(sql`p.scope`, scopeFilter)}
      AND p.version = (SELECT max(q.version) FROM published_results q WHERE q.pipeline = p.pipeline AND q.scope_key = p.scope_key)
    ORDER BY p.id DESC LIMIT ${limit}`);
  return rows.map((row) => publicationFromRow(row, d));
}

export async function latestPublication(s: SqlSession, d: SqlDialect, pipeline: string, scopeKey: string): Promise<PublicationRecord | null> {
  const rows = await s.all<Row>(sql`
    SELECT * FROM published_results WHERE pipeline = ${pipeline} AND scope_key = ${scopeKey} ORDER BY version DESC LIMIT 1`);
  return rows[0] === undefined ? null : publicationFromRow(rows[0], d);
}

export async function publicationById(s: SqlSession, d: SqlDialect, publicationId: string): Promise<PublicationRecord | null> {
  const rows = await s.all<Row>(sql`SELECT * FROM published_results WHERE id = ${d.id(publicationId)}`);
  return rows[0] === undefined ? null : publicationFromRow(rows[0], d);
}

/** A scope's publications, newest version first, keyset-paginated. */
export async function publicationHistory(
  s: SqlSession,
  d: SqlDialect,
  request: { pipeline: string; scopeKey: string; limit: number; cursor?: string },
): Promise<PublicationPage> {
  const before = request.cursor === undefined ? sql`` : sql`AND id < ${d.id(decodeJobCursor(request.cursor))}`;
  const rows = await s.all<Row>(sql`
    SELECT * FROM published_results WHERE pipeline = ${request.pipeline} AND scope_key = ${request.scopeKey} ${before}
    ORDER BY id DESC LIMIT ${request.limit + 1}`);
  const publications = rows.slice(0, request.limit).map((row) => publicationFromRow(row, d));
  const last = publications.at(-1);
  return { publications, nextCursor: rows.length > request.limit && last !== undefined ? encodeJobCursor(last.id) : null };
}

export async function normalizedResultOfJob(s: SqlSession, d: SqlDialect, jobId: string): Promise<NormalizedResultRecord | null> {
  const rows = await s.all<Row>(sql`SELECT * FROM normalized_results WHERE job_id = ${d.id(jobId)}`);
  return rows[0] === undefined ? null : normalizedResultFromRow(rows[0], d);
}
