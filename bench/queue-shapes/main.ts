import pg from 'pg';
import { renderPg } from '../../src/adapters/storage/postgres/pg-database.js';
import { claimJobsQuery } from '../../src/adapters/storage/postgres/queries/claim-jobs.js';
import { completeJobsQuery } from '../../src/adapters/storage/postgres/queries/complete-jobs.js';
import { migrateDatabase } from '../../src/platform/storage.js';
import { withThrowawayDatabase } from '../support/throwaway-database.js';

/**
 * `npm run bench:shapes [-- --jobs 20000 --batch 500 --runs 3]`: what claiming and settling a no-op
 * job costs the database in three table designs, one statement of `batch` jobs after the other on one
 * connection (no worker, no concurrency), on a throwaway database. It answers "would another schema
 * make the queue fast enough?" before anyone rewrites the storage layer for it (docs/adr/0009).
 *
 * - `ours`: the real schema (migrations/postgres) and the real claim and batched success settle.
 * - `narrow-delete`: a narrow jobs table; the claim sets lock columns, completion deletes the row.
 *   The shape of the fastest peer in `npm run bench`, with no record of the job kept.
 * - `queue-table`: our job record without indexes on its state, beside a narrow table of pending and
 *   leased jobs. The claim leases rows of the narrow table only; the settle deletes them, updates
 *   the job record (eligible for HOT updates) and writes the attempt row.
 */
const arg = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
};
const jobs = arg('jobs', 20_000);
const batch = arg('batch', 500);
const runs = arg('runs', 3);

interface Shape {
  /** Creates the tables in the connection's schema and fills them with `jobs` due jobs. */
  fill(client: pg.Client): Promise<void>;
  claim(client: pg.Client): Promise<ClaimedRow[]>;
  settle(client: pg.Client, claimed: ClaimedRow[]): Promise<void>;
}
type ClaimedRow = { id: string; attempt: number };

const WORKER = 'shape-worker';

const ours: Shape = {
  async fill(client) {
    await client.query(
      `INSERT INTO ingestion_jobs (pipeline, scope, scope_key, max_attempts)
       SELECT 'system.noop', jsonb_build_object('label', 'j' || g), '{"label":"j' || g || '"}', 3 FROM generate_series(1, $1::int) g`,
      [jobs],
    );
  },
  async claim(client) {
    const { text, values } = renderPg(claimJobsQuery({ workerId: WORKER, limit: batch, leaseMs: 60_000 }));
    const rows = (await client.query<{ id: string; attempt_count: number }>({ name: 'ours_claim', text, values })).rows;
    return rows.map((row) => ({ id: String(row.id), attempt: row.attempt_count }));
  },
  async settle(client, claimed) {
    const { text, values } = renderPg(
      completeJobsQuery(claimed.map(({ id, attempt }) => ({ lease: { jobId: id, attemptNumber: attempt, workerId: WORKER }, input: {} }))),
    );
    await client.query({ name: 'ours_settle', text, values });
  },
};

const narrowDelete: Shape = {
  async fill(client) {
    await client.query(`
      CREATE TABLE jobs (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, task text NOT NULL, payload jsonb NOT NULL,
        priority int NOT NULL DEFAULT 0, run_at timestamptz NOT NULL DEFAULT now(), attempts int NOT NULL DEFAULT 0,
        max_attempts int NOT NULL DEFAULT 25, locked_at timestamptz, locked_by text,
        created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
      CREATE INDEX jobs_due_idx ON jobs (priority, run_at) INCLUDE (id) WHERE locked_at IS NULL`);
    await client.query(`INSERT INTO jobs (task, payload) SELECT 'noop', jsonb_build_object('label', 'j' || g) FROM generate_series(1, $1::int) g`, [jobs]);
  },
  async claim(client) {
    const text = `
      WITH due AS (SELECT id FROM jobs WHERE locked_at IS NULL AND run_at <= now() ORDER BY priority, run_at LIMIT ${batch} FOR UPDATE SKIP LOCKED)
      UPDATE jobs SET attempts = jobs.attempts + 1, locked_by = $1, locked_at = now() FROM due WHERE jobs.id = due.id RETURNING jobs.*`;
    const rows = (await client.query<{ id: string; attempts: number }>({ name: 'narrow_claim', text, values: [WORKER] })).rows;
    return rows.map((row) => ({ id: String(row.id), attempt: row.attempts }));
  },
  async settle(client, claimed) {
    const text = `DELETE FROM jobs USING unnest($1::bigint[]) AS done(id) WHERE jobs.id = done.id`;
    await client.query({ name: 'narrow_settle', text, values: [claimed.map((row) => row.id)] });
  },
};

const queueTable: Shape = {
  async fill(client) {
    // The job record as in migrations/postgres, less the indexes that name its state or lease.
    await client.query(`
      CREATE TABLE jobs (LIKE public.ingestion_jobs INCLUDING DEFAULTS) WITH (fillfactor = 70);
      ALTER TABLE jobs ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY, ADD PRIMARY KEY (id);
      CREATE INDEX ON jobs (pipeline, scope_key, id DESC);
      CREATE INDEX ON jobs (created_at);
      CREATE TABLE job_attempts (LIKE public.job_attempts INCLUDING DEFAULTS);
      ALTER TABLE job_attempts ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY, ADD PRIMARY KEY (id),
        ADD UNIQUE (job_id, attempt_number), ADD FOREIGN KEY (job_id) REFERENCES jobs (id);
      CREATE TABLE job_queue (
        job_id bigint PRIMARY KEY REFERENCES jobs (id), priority int NOT NULL, run_at timestamptz NOT NULL,
        lease_until timestamptz, claimed_at timestamptz, worker text, attempt int NOT NULL DEFAULT 0);
      CREATE INDEX job_queue_due_idx ON job_queue (priority DESC, run_at, job_id) WHERE lease_until IS NULL;
      CREATE INDEX job_queue_lease_idx ON job_queue (lease_until) WHERE lease_until IS NOT NULL`);
    await client.query(
      `WITH added AS (
         INSERT INTO jobs (pipeline, scope, scope_key, max_attempts)
         SELECT 'system.noop', jsonb_build_object('label', 'j' || g), '{"label":"j' || g || '"}', 3 FROM generate_series(1, $1::int) g
         RETURNING id, priority, next_retry_at)
       INSERT INTO job_queue (job_id, priority, run_at) SELECT id, priority, next_retry_at FROM added`,
      [jobs],
    );
  },
  async claim(client) {
    const text = `
      WITH due AS (
        SELECT job_id FROM job_queue WHERE lease_until IS NULL AND run_at <= now()
        ORDER BY priority DESC, run_at, job_id LIMIT ${batch} FOR UPDATE SKIP LOCKED),
      leased AS (
        UPDATE job_queue q SET lease_until = now() + interval '60 seconds', claimed_at = now(), worker = $1, attempt = q.attempt + 1
        FROM due WHERE q.job_id = due.job_id RETURNING q.job_id, q.attempt)
      SELECT j.*, l.attempt AS leased_attempt FROM leased l JOIN jobs j ON j.id = l.job_id`;
    const rows = (await client.query<{ id: string; leased_attempt: number }>({ name: 'queue_claim', text, values: [WORKER] })).rows;
    return rows.map((row) => ({ id: String(row.id), attempt: row.leased_attempt }));
  },
  async settle(client, claimed) {
    const text = `
      WITH input AS (SELECT * FROM unnest($1::bigint[], $2::int[]) AS t(id, attempt)),
      gone AS (
        DELETE FROM job_queue q USING input t WHERE q.job_id = t.id AND q.attempt = t.attempt AND q.worker = $3
        RETURNING q.job_id, q.attempt, q.claimed_at),
      done AS (
        UPDATE jobs j SET state = 'succeeded', attempt_count = g.attempt, spent_attempts = j.spent_attempts + 1,
          finished_at = now(), updated_at = now()
        FROM gone g WHERE j.id = g.job_id RETURNING j.id, g.attempt, g.claimed_at)
      INSERT INTO job_attempts (job_id, attempt_number, worker_id, started_at, finished_at, outcome, duration_ms)
      SELECT id, attempt, $3, claimed_at, now(), 'succeeded', (floor(extract(epoch from (now() - claimed_at)) * 1000))::bigint FROM done`;
    await client.query({ name: 'queue_settle', text, values: [claimed.map((row) => row.id), claimed.map((row) => row.attempt), WORKER] });
  },
};

const shapes: Record<string, Shape> = { ours, 'narrow-delete': narrowDelete, 'queue-table': queueTable };

async function measure(dsn: string, name: string, shape: Shape): Promise<{ claimUs: number; settleUs: number; perSec: number }> {
  const schema = name === 'ours' ? 'public' : `shape_${name.replace('-', '_')}`;
  const client = new pg.Client({ connectionString: dsn, application_name: `bench:shapes:${name}` });
  await client.connect();
  try {
    if (schema === 'public') {
      await client.query('TRUNCATE ingestion_jobs CASCADE');
    } else {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
      await client.query(`SET search_path = ${schema}`);
    }
    await shape.fill(client);
    await client.query('VACUUM ANALYZE');
    let claimMs = 0;
    let settleMs = 0;
    let done = 0;
    const started = performance.now();
    for (;;) {
      const claimStarted = performance.now();
      const claimed = await shape.claim(client);
      claimMs += performance.now() - claimStarted;
      if (claimed.length === 0) break;
      const settleStarted = performance.now();
      await shape.settle(client, claimed);
      settleMs += performance.now() - settleStarted;
      done += claimed.length;
    }
    if (done !== jobs) throw new Error(`${name}: settled ${done} of ${jobs} jobs`);
    const round = (ms: number) => Math.round((ms * 10_000) / done) / 10;
    return { claimUs: round(claimMs), settleUs: round(settleMs), perSec: Math.round((done / (performance.now() - started)) * 1000) };
  } finally {
    await client.end();
  }
}

await withThrowawayDatabase('bench_shapes', async (dsn) => {
  await migrateDatabase({ driver: 'postgres', dsn, runMigrations: true, maxOpenConns: 2, maxIdleConns: 0, connMaxLifetimeSec: 0 });
  const version = await (async () => {
    const client = new pg.Client({ connectionString: dsn });
    await client.connect();
    const row = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0];
    await client.end();
    return row?.server_version ?? '?';
  })();
  process.stdout.write(`PostgreSQL ${version}; ${jobs} jobs, claimed and settled ${batch} at a time, one connection; µs per job (wall time, including the round trip and parsing the claimed rows)\n\n`);
  process.stdout.write('| design | run | claim | settle | jobs/s |\n| --- | ---: | ---: | ---: | ---: |\n');
  // Interleaved, so a disturbance on the machine does not land on one design only.
  for (let run = 1; run <= runs; run++) {
    for (const [name, shape] of Object.entries(shapes)) {
      const result = await measure(dsn, name, shape);
      process.stdout.write(`| ${name} | ${run} | ${result.claimUs} µs | ${result.settleUs} µs | ${result.perSec.toLocaleString('en-US')} |\n`);
    }
  }
});
