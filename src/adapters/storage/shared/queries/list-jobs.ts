import { sql, type SQL } from 'drizzle-orm';
import type { JobPage, ListJobsRequest } from '../../../../core/job-repository.js';
import { jobFromRow, type Row } from '../job-rows.js';
import type { SqlDialect } from '../sql-dialect.js';
import type { SqlSession } from '../sql-database.js';
import { decodeJobCursor, encodeJobCursor } from '../job-cursor.js';

/** Newest first, keyset-paginated on id so pages stay stable while jobs are added. */
export async function listJobs(s: SqlSession, d: SqlDialect, request: ListJobsRequest): Promise<JobPage> {
  const { filter } = request;
  const conditions: SQL[] = [];
  if (filter.states !== undefined && filter.states.length > 0) conditions.push(sql`state IN ${filter.states}`);
  if (filter.pipeline !== undefined) conditions.push(sql`pipeline = ${filter.pipeline}`);
  if (filter.scopeKey !== undefined) conditions.push(sql`scope_key = ${filter.scopeKey}`);
  if (filter.createdFrom !== undefined) conditions.push(sql`created_at >= ${d.time(filter.createdFrom)}`);
  if (filter.createdTo !== undefined) conditions.push(sql`created_at < ${d.time(filter.createdTo)}`);
  if (request.cursor !== undefined) conditions.push(sql`id < ${d.id(decodeJobCursor(request.cursor))}`);
  const where = conditions.length === 0 ? sql`` : sql`WHERE ${sql.join(conditions, sql` AND `)}`;

  const rows = await s.all<Row>(sql`
    SELECT * FROM ingestion_jobs ${where} ORDER BY id DESC LIMIT ${request.limit + 1}`);
  const jobs = rows.slice(0, request.limit).map((row) => jobFromRow(row, d));
  const last = jobs[jobs.length - 1];
  return { jobs, nextCursor: rows.length > request.limit && last !== undefined ? encodeJobCursor(last.id) : null };
}
