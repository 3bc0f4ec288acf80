import { sql } from 'drizzle-orm';
import type { LeaseRenewal } from '../../../../core/job-repository.js';
import type { JobLease } from '../../../../core/job.js';
import type { Row } from '../job-rows.js';
import type { SqlDialect } from '../sql-dialect.js';
import type { SqlSession } from '../sql-database.js';

/**
 * One statement renews every lease a worker still holds. A lease it no longer holds (expired and
 * reclaimed, settled, released) matches no row and is reported `lost`.
 */
export async function renewLeases(
  s: SqlSession,
  d: SqlDialect,
  workerId: string,
  leases: JobLease[],
  leaseMs: number,
): Promise<LeaseRenewal[]> {
  if (leases.length === 0) return [];
  const held = leases.map((l) => sql`(id = ${d.id(l.jobId)} AND attempt_count = ${l.attemptNumber})`);
  const rows = await s.all<Row>(sql`
    UPDATE ingestion_jobs
    SET lease_until = ${d.addMs(s.now, leaseMs)}, last_heartbeat_at = ${s.now}, updated_at = ${s.now}
    WHERE state = 'running' AND claimed_by = ${workerId} AND (${sql.join(held, sql` OR `)})
    RETURNING id, attempt_count, cancel_requested, lease_until`);
  const byId = new Map(rows.map((row) => [String(row.id), row]));
  return leases.map((lease) => {
    const row = byId.get(lease.jobId);
    if (row === undefined || Number(row.attempt_count) !== lease.attemptNumber) {
      return { lease, status: 'lost', leaseUntil: null };
    }
    return {
      lease,
      status: d.readBool(row.cancel_requested) ? 'cancel_requested' : 'renewed',
      leaseUntil: d.readTime(row.lease_until),
    };
  });
}
