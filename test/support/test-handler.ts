import { z } from 'zod';
import type { JobContext, JobHandler, JobHandlerResult } from '../../src/application/job-handler.js';
import type { JsonObject } from '../../src/core/job.js';

const anyObject = z.record(z.string(), z.json()) as unknown as z.ZodType<JsonObject>;

/** A handler for tests: any scope and params are accepted. */
export function testHandler(pipeline: string, run: (context: JobContext) => Promise<JobHandlerResult>): JobHandler {
  return { pipeline, scopeSchema: anyObject, paramsSchema: anyObject, run };
}
