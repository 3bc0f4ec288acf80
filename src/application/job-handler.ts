import type { z } from 'zod';
import type { CompleteJobInput } from '../core/job-repository.js';
import type { Job, JsonObject } from '../core/job.js';

/** The logging the runtime needs; pino's loggers satisfy it. */
export interface JobLogger {
  child(bindings: Record<string, unknown>): JobLogger;
  debug(obj: object, message?: string): void;
  info(obj: object, message?: string): void;
  warn(obj: object, message?: string): void;
  error(obj: object, message?: string): void;
}

export interface JobContext {
  job: Job;
  /**
   * Aborted when the lease is lost, a cancel is requested, the run time bound passes or the worker
   * shuts down; `signal.reason`
   * is a JobError saying which. Pass it to every fetch and stop soon after it fires.
   */
  signal: AbortSignal;
  /** Carries job_id, attempt, pipeline, worker_id and correlation_id on every line. */
  logger: JobLogger;
  /**
   * Awaits `wait`, a turn under a source's politeness budget, without charging it to the run time
   * bound: how long the turn takes depends on the other jobs sharing the host, not on this one.
   */
  waitingOnSource<T>(wait: Promise<T>): Promise<T>;
}

/** What a handler returns on success is recorded on the job. */
export type JobHandlerResult = CompleteJobInput | undefined;

export interface JobHandler {
  readonly pipeline: string;
  /** What a job's scope must look like; checked before a job is stored. */
  readonly scopeSchema: z.ZodType<JsonObject>;
  /** What a job's params must look like; checked before a job is stored. */
  readonly paramsSchema: z.ZodType<JsonObject>;
  /**
   * The longest one run may take, not counting `waitingOnSource`; the worker's default when absent.
   * Past it the worker aborts the signal with a retryable `timeout` (JOB_TIMEOUT) and settles the
   * failure, charged, at once.
   */
  readonly timeoutMs?: number;
  run(context: JobContext): Promise<JobHandlerResult>;
}
