import { sql } from 'drizzle-orm';
import type { EnqueueJobInput, EnqueueResult } from '../../../../core/job-repository.js';
import type { Job } from '../../../../core/job.js';
import { scopeKeyOf } from '../../../../core/scope-key.js';
import { jobFromRow, type Row } from '../job-rows.js';
import type { SqlDialect } from '../sql-dialect.js';
import type { SqlSession } from '../sql-database.js';
import { insertTransitions } from './insert-transitions.js';

/** Rows per INSERT, well below either driver's bind-parameter limit. */
const CHUNK = 500;

/**
 * Inserts jobs in multi-row statements. A job whose idempotency key already exists is not inserted
 * again: the existing job is returned with `created: false`. Identity values are assigned in VALUES
 * order, so the returned rows sorted by id line up with the inputs that were inserted.
 */
export async function insertJobs(s: SqlSession, d: SqlDialect, inputs: EnqueueJobInput[]): Promise<EnqueueResult[]> {
  const results: EnqueueResult[] = [];
  for (let start = 0; start < inputs.length; start += CHUNK) {
    results.push(...(await insertChunk(s, d, inputs.slice(start, start + CHUNK))));
  }
  return results;
}

async function insertChunk(s: SqlSession, d: SqlDialect, inputs: EnqueueJobInput[]): Promise<EnqueueResult[]> {
  const values = inputs.map((input) => {
    const runAt = input.runAt === undefined ? s.now : d.time(input.runAt);
    return sql`(${input.pipeline}, ${d.json(input.scope)}, ${input.scopeKey ?? scopeKeyOf(input.scope)},
      ${d.json(input.params ?? {})}, ${input.priority ?? 0}, ${input.maxAttempts}, ${runAt},
      ${input.idempotencyKey ?? null}, ${input.requestFingerprint ?? null}, ${d.bool(input.forceRepublish ?? false)},
      ${input.correlationId ?? null},
      ${input.scheduleId ?? null}, ${s.now}, ${s.now})`;
  });
  const inserted = await s.all<Row>(sql`
    INSERT INTO ingestion_jobs (pipeline, scope, scope_key, params, priority, max_attempts, next_retry_at,
      idempotency_key, request_fingerprint, force_republish, correlation_id, schedule_id, created_at, updated_at)
    VALUES ${sql.join(values, sql`, `)}
    ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
    RETURNING *`);
  const rows = inserted.map((row) => jobFromRow(row, d));

  await insertTransitions(
    s,
    d,
    [...rows].sort((a, b) => compareIds(a.id, b.id)).map((job) => ({ jobId: job.id, attemptNumber: 0, fromState: null, toState: 'pending', reason: 'enqueued' })),
  );

  return matchInputs(inputs, rows, async (keys) =>
    (await s.all<Row>(sql`SELECT * FROM ingestion_jobs WHERE idempotency_key IN ${keys}`)).map((row) => jobFromRow(row, d)),
  );
}

/**
 * Lines the inserted jobs (any order) up with their inputs. An input whose idempotency key was not
 * inserted (it existed already, or came twice) gets the existing job, looked up with `existing`.
 */
export async function matchInputs(
  inputs: EnqueueJobInput[],
  inserted: Job[],
  existing: (keys: string[]) => Promise<Job[]>,
): Promise<EnqueueResult[]> {
  const rows = [...inserted].sort((a, b) => compareIds(a.id, b.id));
  const createdByKey = new Map(rows.filter((j) => j.idempotencyKey !== null).map((j) => [j.idempotencyKey, j]));
  const unkeyed = rows.filter((j) => j.idempotencyKey === null);
  const missingKeys = inputs
    .map((i) => i.idempotencyKey)
    .filter((key): key is string => key !== undefined && !createdByKey.has(key));
  const existingByKey = new Map<string, Job>();
  if (missingKeys.length > 0) {
    for (const job of await existing([...new Set(missingKeys)])) existingByKey.set(job.idempotencyKey ?? '', job);
  }

  const seenKeys = new Set<string>();
  let nextUnkeyed = 0;
  return inputs.map((input) => {
    const key = input.idempotencyKey;
    if (key === undefined) {
      const job = unkeyed[nextUnkeyed++];
      if (job === undefined) throw new Error('enqueue: inserted rows do not match the inputs');
      return { job, created: true };
    }
    const created = createdByKey.get(key);
    if (created !== undefined && !seenKeys.has(key)) {
      seenKeys.add(key);
      return { job: created, created: true };
    }
    const job = created ?? existingByKey.get(key);
    if (job === undefined) throw new Error(`enqueue: no job found for idempotency key ${key}`);
    return { job, created: false };
  });
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
