import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainClaim, explainStatement, seedQueue, sequentialScansOfJobs } from '../../bench/claim-plan/explain-claim.js';
import { completeJobsQuery } from '../../src/adapters/storage/postgres/queries/complete-jobs.js';
import type { SuccessSettle } from '../../src/core/job-repository.js';
import { migrateDatabase } from '../../src/platform/storage.js';
import { createPostgresDatabase, databaseConfig, type TestDatabase } from '../support/test-databases.js';

describe('the PostgreSQL claim with 100,000 finished jobs', () => {
  let database: TestDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    await migrateDatabase(databaseConfig('postgres', database.dsn));
    client = new pg.Client({ connectionString: database.dsn });
    await client.connect();
    await seedQueue(client, { finished: 100_000, pending: 500, expiredRunning: 3 });
  });

  afterAll(async () => {
    await client.end();
    await database.drop();
  });

  it('reads only the partial indexes of live jobs, never the whole table', async () => {
    const plan = await explainClaim(client, 32);
    const text = plan.join('\n');
    expect(sequentialScansOfJobs(plan)).toEqual([]);
    expect(text).toMatch(/Index Scan using ingestion_jobs_due_idx on ingestion_jobs/);
    // Plain or bitmap, as ANALYZE's sample of the three running rows suggests: either reads the lease index only.
    expect(text).toMatch(/(Index Scan using|Bitmap Index Scan on) ingestion_jobs_lease_idx/);
    // The expired jobs are rescued, and the due backlog tops the claim up to 32.
    expect(text).toMatch(/CTE Scan on claimed \(actual time=[\d.]+\.\.[\d.]+ rows=32 /);
  });

  it('keeps to those indexes in the generic plan of the prepared statement workers run', async () => {
    const plan = await explainClaim(client, 400, { generic: true });
    const text = plan.join('\n');
    expect(sequentialScansOfJobs(plan)).toEqual([]);
    expect(text).toMatch(/Index Scan using ingestion_jobs_due_idx on ingestion_jobs/);
    expect(text).toMatch(/Index Scan using ingestion_jobs_pkey on ingestion_jobs/);
    expect(text).toMatch(/CTE Scan on claimed \(actual time=[\d.]+\.\.[\d.]+ rows=400 /);
  });

  it("takes a limited pipeline's jobs from its own index, and pipeline_free_slots reads only indexes", async () => {
    // Every job here is system.noop's: the limit puts the whole claim on the limited path.
    await client.query(`INSERT INTO pipeline_limits (pipeline, max_running) VALUES ('system.noop', 40)`);
    try {
      for (const generic of [false, true]) {
        const plan = await explainClaim(client, 32, { generic });
        const text = plan.join('\n');
        expect(sequentialScansOfJobs(plan)).toEqual([]);
        expect(text).toMatch(/Index Scan using ingestion_jobs_pending_pipeline_idx on ingestion_jobs .*\n\s+Index Cond: \(\(pipeline = o\.pipeline\)/);
        // 3 rescued, 29 more up to the limit of 40 running (the 3 rescued count once).
        expect(text).toMatch(/CTE Scan on claimed \(actual time=[\d.]+\.\.[\d.]+ rows=32 /);
      }
      // The function's queries, as PL/pgSQL caches them: generic plans.
      const functionQueries = {
        "SELECT 1 FROM ingestion_jobs WHERE state = 'pending' AND pipeline = $1 AND next_retry_at <= now() LIMIT 1": /ingestion_jobs_pending_pipeline_idx/,
        'SELECT count(*) FROM ingestion_jobs WHERE lease_until IS NOT NULL AND pipeline = $1': /ingestion_jobs_lease_idx/,
      };
      for (const [query, index] of Object.entries(functionQueries)) {
        await client.query('BEGIN');
        await client.query('SET LOCAL plan_cache_mode = force_generic_plan');
        await client.query(`PREPARE function_query(text) AS ${query}`);
        const explained = await client.query<{ 'QUERY PLAN': string }>("EXPLAIN (COSTS OFF) EXECUTE function_query('system.noop')");
        await client.query('ROLLBACK');
        await client.query('DEALLOCATE ALL');
        const text = explained.rows.map((row) => row['QUERY PLAN']).join('\n');
        expect(text).toMatch(index);
        expect(text).not.toMatch(/Seq Scan/);
      }
    } finally {
      await client.query(`DELETE FROM pipeline_limits`);
    }
  });
});

describe('the PostgreSQL batched success settle', () => {
  let database: TestDatabase;
  let client: pg.Client;
  let settles: SuccessSettle[];

  beforeAll(async () => {
    database = await createPostgresDatabase();
    await migrateDatabase(databaseConfig('postgres', database.dsn));
    client = new pg.Client({ connectionString: database.dsn });
    await client.connect();
    await seedQueue(client, { finished: 20_000, pending: 2_000, expiredRunning: 0 });
    // Statistics taken with no job running, as they usually are: running jobs are transient.
    const claimed = await client.query<{ id: string; attempt_count: number }>(
      `UPDATE ingestion_jobs SET state = 'running', attempt_count = 1, claimed_by = 'w', claimed_at = now(),
         lease_until = now() + interval '1 minute'
       WHERE id IN (SELECT id FROM ingestion_jobs WHERE state = 'pending' ORDER BY id LIMIT 1000)
       RETURNING id::text, attempt_count`,
    );
    settles = claimed.rows.map((row) => ({ lease: { jobId: row.id, workerId: 'w', attemptNumber: row.attempt_count }, input: {} }));
  });

  afterAll(async () => {
    await client.end();
    await database.drop();
  });

  it('finds each job by primary key in the generic plan, never by walking the running jobs', async () => {
    const plan = await explainStatement(client, completeJobsQuery(settles.slice(0, 500)), { generic: true });
    const text = plan.join('\n');
    expect(sequentialScansOfJobs(plan)).toEqual([]);
    expect(text).not.toMatch(/ingestion_jobs_lease_idx/);
    expect(text).toMatch(/Index Scan using ingestion_jobs_pkey on ingestion_jobs j .*loops=500\)/);
    expect(text).toMatch(/Update on ingestion_jobs j \(actual time=[\d.]+\.\.[\d.]+ rows=500 /);
  });
});
