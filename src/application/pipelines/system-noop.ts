import { z } from 'zod';
import { JobError } from '../../core/job-error.js';
import { abortableSleep } from '../abortable-sleep.js';
import type { JobHandler } from '../job-handler.js';

export const SYSTEM_NOOP = 'system.noop';

/**
 * Does nothing, successfully: for smoke tests and benchmarks of the queue itself.
 * `params.sleep_ms` makes it wait (abortably) first; `params.fail` makes it fail with that category
 * code, e.g. `{"fail": "network"}`.
 */
const paramsSchema = z.strictObject({
  sleep_ms: z.int().min(0).max(600_000).optional(),
  fail: z.enum(['network', 'validation', 'internal']).optional(),
});

export const systemNoopHandler: JobHandler = {
  pipeline: SYSTEM_NOOP,
  // Any label names a distinct scope, so tests and benchmarks can make many.
  scopeSchema: z.strictObject({ label: z.string().min(1).max(200).optional() }),
  paramsSchema,
  // Covers the longest sleep_ms it accepts, with a minute to spare.
  timeoutMs: 600_000 + 60_000,
  async run(context) {
    const params = paramsSchema.parse(context.job.params);
    // The signal is made on first read (worker.ts), so only a job that waits asks for it.
    if (params.sleep_ms !== undefined && params.sleep_ms > 0) await abortableSleep(params.sleep_ms, context.signal);
    if (params.fail !== undefined) {
      throw new JobError(params.fail, 'NOOP_REQUESTED_FAILURE', `system.noop was asked to fail with ${params.fail}`);
    }
    return undefined;
  },
};
