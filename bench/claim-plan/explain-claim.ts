import type { SQL } from 'drizzle-orm';
import type pg from 'pg';
import { claimJobsQuery } from '../../src/adapters/storage/postgres/queries/claim-jobs.js';
import { renderPg } from '../../src/adapters/storage/postgres/pg-database.js';

export interface ClaimPlanFixture {
  finished: number;
  pending: number;
  expiredRunning: number;
}

/**
 * Fills a migrated database with a queue's typical shape: many finished jobs, a backlog of due
 * jobs, a few future retries and a few running jobs whose lease expired.
 */
export async function seedQueue(client: pg.ClientBase, fixture: ClaimPlanFixture): Promise<void> {
  await client.query(
    `WITH finished AS (
       INSERT INTO ingestion_jobs (pipeline, scope, scope_key, state, max_attempts, attempt_count, spent_attempts,
         finished_at, next_retry_at, created_at)
       SELECT 'system.noop', jsonb_build_object('n', g), '{"n":' || g || '}',
         (ARRAY['succeeded', 'failed', 'exhausted', 'cancelled'])[1 + g % 4], 3, 1, 1,
         now() - interval '1 hour', now() - interval '2 hours', now() - interval '2 hours'
       FROM generate_series(1, $1::int) g
       RETURNING id, finished_at
     )
     INSERT INTO job_attempts (job_id, attempt_number, worker_id, started_at, finished_at, outcome, duration_ms)
     SELECT id, 1, 'old-worker', finished_at - interval '1 second', finished_at, 'succeeded', 1000 FROM finished`,
    [fixture.finished],
  );
  await client.query(
    `INSERT INTO ingestion_jobs (pipeline, scope, scope_key, priority, max_attempts, next_retry_at)
     SELECT 'system.noop', jsonb_build_object('p', g), '{"p":' || g || '}', g % 3, 3,
       CASE WHEN g % 10 = 0 THEN now() + interval '1 hour' ELSE now() - interval '1 second' END
     FROM generate_series(1, $1::int) g`,
    [fixture.pending],
  );
  // A running attempt lives on the job row; its attempt row is written when it ends.
  await client.query(
    `INSERT INTO ingestion_jobs (pipeline, scope, scope_key, state, max_attempts, attempt_count, spent_attempts,
       claimed_by, claimed_at, lease_until)
     SELECT 'system.noop', jsonb_build_object('r', g), '{"r":' || g || '}', 'running', 3, 1, 1,
       'dead-worker', now() - interval '5 minutes', now() - interval '1 minute'
     FROM generate_series(1, $1::int) g`,
    [fixture.expiredRunning],
  );
  await client.query('ANALYZE ingestion_jobs');
  await client.query('ANALYZE job_attempts');
}

/**
 * EXPLAIN ANALYZE of one real claim of `limit` jobs, rolled back so the data stays as seeded.
 * `generic`: the plan PostgreSQL may settle on for the prepared statement workers execute, made
 * without looking at the parameters.
 */
export function explainClaim(client: pg.ClientBase, limit: number, { generic = false } = {}): Promise<string[]> {
  return explainStatement(client, claimJobsQuery({ workerId: 'plan-worker', limit, leaseMs: 30_000 }), { generic });
}

/** EXPLAIN ANALYZE of one real run of `query`, rolled back; `generic` as for `explainClaim`. */
export async function explainStatement(client: pg.ClientBase, query: SQL, { generic = false } = {}): Promise<string[]> {
  const { text, values } = renderPg(query);
  await client.query('BEGIN');
  try {
    const explain = 'EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, SUMMARY ON)';
    let result: pg.QueryResult<{ 'QUERY PLAN': string }>;
    if (generic) {
      await client.query('SET LOCAL plan_cache_mode = force_generic_plan');
      await client.query(`PREPARE explained_statement AS ${text}`);
      const literals = values.map((value) => sqlLiteral(client, value));
      result = await client.query(`${explain} EXECUTE explained_statement(${literals.join(', ')})`);
    } else {
      result = await client.query(`${explain} ${text}`, values);
    }
    return result.rows.map((row) => row['QUERY PLAN']);
  } finally {
    await client.query('ROLLBACK');
    if (generic) await client.query('DEALLOCATE ALL');
  }
}

/** A parameter value as SQL text (EXECUTE inside EXPLAIN takes no bind parameters). */
function sqlLiteral(client: pg.ClientBase, value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) {
    const element = (item: unknown) => (item === null || item === undefined ? 'NULL' : `"${scalarText(item).replace(/["\\]/g, '\\$&')}"`);
    return client.escapeLiteral(`{${value.map(element).join(',')}}`);
  }
  return client.escapeLiteral(scalarText(value));
}

function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  throw new TypeError(`no SQL literal for a parameter of type ${typeof value}`);
}

/** Plan lines that read the ledger's tables without an index: none may appear. */
export function sequentialScansOfJobs(plan: string[]): string[] {
  return plan.filter((line) => /Seq Scan on (ingestion_jobs|job_attempts)/.test(line));
}
