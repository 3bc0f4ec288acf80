import { sql } from 'drizzle-orm';
import type { EnqueueJobInput, EnqueueResult } from '../../../../core/job-repository.js';
import { scopeKeyOf } from '../../../../core/scope-key.js';
import { jobFromRow, type Row } from '../../shared/job-rows.js';
import { matchInputs } from '../../shared/queries/insert-jobs.js';
import { JOBS_AVAILABLE_CHANNEL } from '../notification-listener.js';
import type { PgDatabase } from '../pg-database.js';
import { pgDialect } from '../pg-dialect.js';

/** Jobs per statement: twelve array parameters carry them, whatever their number. */
const CHUNK = 5_000;

/**
 * One statement and one commit per chunk: insert the jobs (inputs travel as parallel arrays), write
 * their `enqueued` transitions and wake waiting workers with a notification that is delivered on
 * commit, only when something was inserted. A job whose idempotency key already exists is not
 * inserted again; the existing job is returned with `created: false`.
 */
export async function insertJobs(db: PgDatabase, inputs: EnqueueJobInput[]): Promise<EnqueueResult[]> {
  const results: EnqueueResult[] = [];
  for (let start = 0; start < inputs.length; start += CHUNK) {
    const chunk = inputs.slice(start, start + CHUNK);
    const inserted = await db.prepared<Row>('ia_insert_jobs', insertStatement(chunk));
    results.push(
      ...(await matchInputs(
        chunk,
        inserted.map((row) => jobFromRow(row, pgDialect)),
        async (keys) =>
          (await db.statement<Row>(sql`SELECT * FROM ingestion_jobs WHERE idempotency_key = ANY(${sql.param(keys)}::text[])`)).map((row) =>
            jobFromRow(row, pgDialect),
          ),
      )),
    );
  }
  return results;
}

function insertStatement(inputs: EnqueueJobInput[]) {
  const column = <T>(pick: (input: EnqueueJobInput) => T) => sql.param(inputs.map(pick));
  return sql`
    WITH input AS (
      SELECT * FROM unnest(
        ${column((i) => i.pipeline)}::text[], ${column((i) => JSON.stringify(i.scope))}::jsonb[],
        ${column((i) => i.scopeKey ?? scopeKeyOf(i.scope))}::text[], ${column((i) => JSON.stringify(i.params ?? {}))}::jsonb[],
        ${column((i) => i.priority ?? 0)}::int[], ${column((i) => i.maxAttempts)}::int[],
        ${column((i) => i.runAt ?? null)}::timestamptz[], ${column((i) => i.idempotencyKey ?? null)}::text[],
        ${column((i) => i.requestFingerprint ?? null)}::text[], ${column((i) => i.forceRepublish ?? false)}::boolean[],
        ${column((i) => i.correlationId ?? null)}::text[], ${column((i) => i.scheduleId ?? null)}::text[]
      ) WITH ORDINALITY AS t(pipeline, scope, scope_key, params, priority, max_attempts, run_at, idempotency_key,
        request_fingerprint, force_republish, correlation_id, schedule_id, ord)
    ),
    inserted AS (
      INSERT INTO ingestion_jobs (pipeline, scope, scope_key, params, priority, max_attempts, next_retry_at,
        idempotency_key, request_fingerprint, force_republish, correlation_id, schedule_id, created_at, updated_at)
      SELECT pipeline, scope, scope_key, params, priority, max_attempts, coalesce(run_at, now()),
        idempotency_key, request_fingerprint, force_republish, correlation_id, schedule_id, now(), now()
      FROM input ORDER BY ord
      ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
      RETURNING *
    ),
    transitions AS (
      INSERT INTO job_state_transitions (job_id, attempt_number, from_state, to_state, reason, at)
      SELECT id, 0, NULL, 'pending', 'enqueued', now() FROM inserted ORDER BY id
    )
    -- An uncorrelated sub-select runs once, and only if there is an inserted row to return.
    SELECT inserted.*, (SELECT pg_notify(${JOBS_AVAILABLE_CHANNEL}, '')) AS notified FROM inserted`;
}
