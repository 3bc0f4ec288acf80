import type { CompleteJobInput } from '../core/job-repository.js';
import type { Job } from '../core/job.js';

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
   * Aborted when the lease is lost, a cancel is requested or the worker shuts down; `signal.reason`
   * is a JobError saying which. Pass it to every fetch and stop soon after it fires.
   */
  signal: AbortSignal;
  /** Carries job_id, attempt, pipeline and worker_id on every line. */
  logger: JobLogger;
}

/** What a handler returns on success is recorded on the job. */
export type JobHandlerResult = CompleteJobInput | undefined;

export interface JobHandler {
  readonly pipeline: string;
  run(context: JobContext): Promise<JobHandlerResult>;
}
