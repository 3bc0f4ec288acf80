import { z } from 'zod';
import { followUpIdempotencyKey, MAX_FOLLOW_UPS_PER_JOB, type FollowUpJob } from '../core/follow-up.js';
import { JobError } from '../core/job-error.js';
import { isStorableInstant, jsonProblem, textProblem } from '../core/storable-values.js';
import { problemsFromZod } from './field-problem.js';
import type { JobHandler } from './job-handler.js';

/** What a follow-up is checked against: the registered pipeline's schemas, or nothing when it has none. */
export type FollowUpTargets = (pipeline: string) => Pick<JobHandler, 'scopeSchema' | 'paramsSchema'> | undefined;

/** The longest delay a follow-up may ask for: a year. */
const MAX_DELAY_SECONDS = 366 * 86_400;
/** What the ledger keeps of an idempotency key (validate-enqueue-input.ts). */
const MAX_KEY_LENGTH = 200;

const followUpShape = z.strictObject({
  pipeline: z.string().min(1),
  scope: z.record(z.string(), z.unknown()),
  params: z.record(z.string(), z.unknown()).optional(),
  key: z.string().min(1),
  runAt: z.iso.datetime({ offset: true }).optional(),
  delaySeconds: z.number().min(0).max(MAX_DELAY_SECONDS).optional(),
  priority: z.int().min(-1_000_000).max(1_000_000).optional(),
});

/**
 * The follow-ups a pipeline declared, each checked as an enqueue is (a registered pipeline, a scope
 * and params its schemas accept, values both databases store) and resolved to what its schemas
 * make of them. Any problem is a bug in the declaring pipeline: the job fails, not retryably, with
 * INVALID_FOLLOW_UP naming the follow-up (its index, pipeline and key) and each wrong field, or
 * with TOO_MANY_FOLLOW_UPS.
 */
export function checkFollowUps(declared: unknown, targets: FollowUpTargets): FollowUpJob[] {
  if (!Array.isArray(declared)) {
    throw new JobError('validation', 'INVALID_FOLLOW_UP', 'followUps returned something other than an array', { retryable: false });
  }
  if (declared.length > MAX_FOLLOW_UPS_PER_JOB) {
    throw new JobError('validation', 'TOO_MANY_FOLLOW_UPS', `the pipeline declared ${declared.length} follow-ups; a job may declare at most ${MAX_FOLLOW_UPS_PER_JOB}`, {
      retryable: false,
    });
  }
  return declared.map((item: unknown, index) => checkOne(item, index, targets));
}

function checkOne(item: unknown, index: number, targets: FollowUpTargets): FollowUpJob {
  const shape = followUpShape.safeParse(item);
  const named = (pipeline: unknown, key: unknown) =>
    `follow-up ${index} (${typeof pipeline === 'string' ? pipeline : '?'}, key ${typeof key === 'string' ? key : '?'})`;
  const fail = (pipeline: unknown, key: unknown, problems: string[]): never => {
    throw new JobError('validation', 'INVALID_FOLLOW_UP', `${named(pipeline, key)}: ${problems.join('; ')}`, { retryable: false });
  };
  if (!shape.success) {
    const raw = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {};
    return fail(raw.pipeline, raw.key, problemsFromZod('', shape.error).map((p) => `${p.field}: ${p.message}`));
  }
  const { pipeline, key, runAt, delaySeconds, priority } = shape.data;
  const target = targets(pipeline);
  if (target === undefined) return fail(pipeline, key, ['pipeline: not a registered pipeline']);
  const scope = target.scopeSchema.safeParse(shape.data.scope);
  const params = target.paramsSchema.safeParse(shape.data.params ?? {});
  const problems = [
    ...(scope.success ? [] : problemsFromZod('scope', scope.error)),
    ...(params.success ? [] : problemsFromZod('params', params.error)),
  ].map((p) => `${p.field}: ${p.message}`);
  if (!scope.success || !params.success) return fail(pipeline, key, problems);

  const stored = followUpIdempotencyKey(pipeline, key);
  if (stored.length > MAX_KEY_LENGTH) problems.push(`key: with its pipeline, longer than ${MAX_KEY_LENGTH} characters`);
  const keyProblem = textProblem(key);
  if (keyProblem !== undefined) problems.push(`key: ${keyProblem}`);
  if (runAt !== undefined && !isStorableInstant(Date.parse(runAt))) problems.push('runAt: not an instant from year 0001 to 9999 (UTC)');
  for (const [name, value] of Object.entries({ scope: scope.data, params: params.data })) {
    const problem = jsonProblem(value);
    if (problem !== undefined) problems.push(`${[name, ...problem.path.slice(0, 8)].join('.')}: ${problem.message}`);
  }
  if (problems.length > 0) return fail(pipeline, key, problems);
  return {
    pipeline,
    scope: scope.data,
    params: params.data,
    key,
    ...(runAt === undefined ? {} : { runAt }),
    ...(delaySeconds === undefined ? {} : { delaySeconds }),
    ...(priority === undefined ? {} : { priority }),
  };
}
