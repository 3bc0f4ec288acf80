import { followUpIdempotencyKey, MAX_FOLLOW_UPS_PER_JOB, type FollowUpJob } from '../../../core/follow-up.js';
import type { EnqueueJobInput } from '../../../core/job-repository.js';
import { isStorableInstant, jsonProblem, textProblem } from '../../../core/storable-values.js';

/** Guards the ledger against values the schema would reject less clearly. */
export function validateEnqueueInput(input: EnqueueJobInput, index: number): void {
  const problems: string[] = [];
  if (typeof input.pipeline !== 'string' || input.pipeline.length === 0 || input.pipeline.length > 200) {
    problems.push('pipeline must be a non-empty string of at most 200 characters');
  }
  if (!Number.isInteger(input.maxAttempts) || input.maxAttempts < 1 || input.maxAttempts > 1000) {
    problems.push('maxAttempts must be an integer from 1 to 1000');
  }
  if (input.priority !== undefined && (!Number.isInteger(input.priority) || Math.abs(input.priority) > 1_000_000)) {
    problems.push('priority must be an integer from -1000000 to 1000000');
  }
  if (input.runAt !== undefined && !isStorableInstant(input.runAt.getTime())) problems.push('runAt must be a date from year 0001 to 9999 (UTC)');
  if (input.idempotencyKey !== undefined && (input.idempotencyKey.length === 0 || input.idempotencyKey.length > 200)) {
    problems.push('idempotencyKey must be 1 to 200 characters');
  }
  // What PostgreSQL would refuse and SQLite would keep is refused by both, before either sees it.
  const texts = { pipeline: input.pipeline, scopeKey: input.scopeKey, idempotencyKey: input.idempotencyKey, correlationId: input.correlationId, scheduleId: input.scheduleId };
  for (const [name, text] of Object.entries(texts)) {
    const problem = typeof text === 'string' ? textProblem(text) : undefined;
    if (problem !== undefined) problems.push(`${name} ${problem}`);
  }
  for (const [name, value] of Object.entries({ scope: input.scope, params: input.params ?? {} })) {
    const problem = jsonProblem(value);
    if (problem !== undefined) problems.push(`${[name, ...problem.path.slice(0, 8)].join('.')} ${problem.message}`);
  }
  if (problems.length > 0) throw new RangeError(`enqueue input ${index}: ${problems.join('; ')}`);
}

/** Guards a settle's follow-ups as an enqueue is guarded; the runner has checked them against their pipelines. */
export function validateFollowUps(followUps: readonly FollowUpJob[]): void {
  if (followUps.length > MAX_FOLLOW_UPS_PER_JOB) throw new RangeError(`a settle may carry at most ${MAX_FOLLOW_UPS_PER_JOB} follow-ups, not ${followUps.length}`);
  followUps.forEach((f, index) => {
    const runAt = f.runAt === undefined ? undefined : new Date(f.runAt);
    if (runAt !== undefined && Number.isNaN(runAt.getTime())) throw new RangeError(`follow-up ${index}: runAt is not an instant`);
    if (f.delaySeconds !== undefined && !(Number.isFinite(f.delaySeconds) && f.delaySeconds >= 0)) {
      throw new RangeError(`follow-up ${index}: delaySeconds must be a finite number of seconds, 0 or more`);
    }
    validateEnqueueInput(
      {
        pipeline: f.pipeline,
        scope: f.scope,
        ...(f.params === undefined ? {} : { params: f.params }),
        ...(f.priority === undefined ? {} : { priority: f.priority }),
        ...(runAt === undefined ? {} : { runAt }),
        maxAttempts: 1,
        idempotencyKey: followUpIdempotencyKey(f.pipeline, f.key),
      },
      index,
    );
  });
}
