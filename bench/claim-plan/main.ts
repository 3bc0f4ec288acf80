import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import pg from 'pg';
import { migrateDatabase } from '../../src/platform/storage.js';
import { withThrowawayDatabase } from '../support/throwaway-database.js';
import { explainClaim, seedQueue, sequentialScansOfJobs, type ClaimPlanFixture } from './explain-claim.js';

/**
 * `npm run bench:claim-plan`: seeds 100,000 finished jobs beside a small backlog and writes the
 * claim statement's EXPLAIN ANALYZE to docs/claim-query-plan.md, on a throwaway database.
 */
const fixture: ClaimPlanFixture = { finished: 100_000, pending: 2_000, expiredRunning: 5 };
await withThrowawayDatabase('claim_plan', async (dsn) => {
  await migrateDatabase({ driver: 'postgres', dsn, runMigrations: true, maxOpenConns: 2, maxIdleConns: 0, connMaxLifetimeSec: 0 });
  const client = new pg.Client({ connectionString: dsn });
  await client.connect();
  await seedQueue(client, fixture);
  const version = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? '?';
  const plan = await explainClaim(client, 32);
  await client.end();
  const seqScans = sequentialScansOfJobs(plan);

  const doc = `# The claim query's plan

Produced by \`npm run bench:claim-plan\` (\`bench/claim-plan/\`); regenerate it after changing the claim
(\`src/adapters/storage/postgres/queries/claim-jobs.ts\`) or the indexes in \`migrations/postgres/\`.

## Data

- ${fixture.finished.toLocaleString('en-US')} finished jobs (succeeded, failed, exhausted, cancelled), each with its attempt row
- ${fixture.pending.toLocaleString('en-US')} pending jobs, a tenth of them scheduled an hour ahead (retries in backoff)
- ${fixture.expiredRunning} running jobs whose lease expired a minute ago (crashed workers)
- claim of 32 jobs (a worker with 32 free slots); PostgreSQL ${version}; ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB

## What to look for

- \`expired\` reads \`ingestion_jobs_lease_idx\` (partial: \`lease_until IS NOT NULL\`, i.e. running jobs), and \`due\` reads
  \`ingestion_jobs_due_idx\` (partial: \`state = 'pending'\`, ordered by priority, due time, id) and
  stops after 32 rows: neither index holds a finished job, so the claim's cost does not grow as
  finished jobs pile up.
- Sequential scans of \`ingestion_jobs\` or \`job_attempts\`: ${seqScans.length === 0 ? 'none' : seqScans.join('; ')}.
- The expired jobs are rescued first (attempt closed as \`lease_expired\`, job claimed again), then the
  due jobs fill the remaining slots, all in the same statement.
- No pipeline has a limit here (docs/adr/0020): \`limits\` reads the empty \`pipeline_limits\` table
  once; \`due\`'s pipeline filter sits behind \`NOT EXISTS (SELECT 1 FROM limits)\`, true here, so no
  row is checked against the limited pipelines and the scan is planned as it always was; and
  \`open_limited\` and \`due_limited\` find nothing to do: no lock is taken and
  \`pipeline_free_slots\` is never called. The plan with a
  limit is checked by \`test/postgres/claim-plan.test.ts\`.

## Plan (EXPLAIN ANALYZE, BUFFERS; costs off)

\`\`\`
${plan.join('\n')}
\`\`\`
`;
  writeFileSync(new URL('../../docs/claim-query-plan.md', import.meta.url), doc);
  process.stdout.write(`wrote docs/claim-query-plan.md (${seqScans.length} sequential scans of the ledger)\n`);
  if (seqScans.length > 0) process.exitCode = 1;
});
