import { JobError } from '../core/job-error.js';
import { leaseOf, type Job, type JobFailure, type JobLease } from '../core/job.js';
import type { JobLogger } from './job-handler.js';
import type { KeptLease } from './lease-keeper.js';

/** Why a worker stops a job it holds before the handler is done. */
export type AbortCause = 'lease_lost' | 'cancelled' | 'shutdown' | 'timeout';

/** One job a worker holds a lease on, from claim to settle. */
export interface Execution extends KeptLease {
  job: Job;
  /** False while the job waits in the local queue for a slot. */
  started: boolean;
  /** True from start until the handler is done (or, for anything but a batched success, until settled). */
  slotHeld: boolean;
  lease: JobLease;
  logger: JobLogger;
  /** Made when the handler first reads its signal: most short jobs never do. */
  controller: AbortController | undefined;
  abortReason: JobError | undefined;
  cause: AbortCause | undefined;
  /** Monotonic time the last successful renewal was sent (or the claim, at first). */
  renewedAt: number;
  /** Monotonic time the handler started; undefined while the job waits in the local queue. */
  startedAt: number | undefined;
  /** Set once the lease was handed back at shutdown, so nothing settles it again. */
  released: boolean;
  done: Promise<void>;
}

/** The error a handler's signal is aborted with, saying why. */
export function abortReason(cause: AbortCause): JobError {
  switch (cause) {
    case 'cancelled':
      return new JobError('cancelled', 'CANCEL_REQUESTED', 'an operator cancelled the job');
    case 'lease_lost':
      return new JobError('lease_lost', 'LEASE_LOST', 'this worker lost the lease; another worker may run the job');
    case 'shutdown':
      return new JobError('cancelled', 'WORKER_SHUTDOWN', 'the worker is shutting down; the job will run again elsewhere', { retryable: true });
    case 'timeout':
      return new JobError('timeout', 'JOB_TIMEOUT', 'the job ran longer than its pipeline allows; it was stopped and will be retried', { retryable: true });
  }
}

/** What a job that outran its run time bound records: retryable, and charged like any failure of its own. */
export function timeoutFailure(timeoutMs: number): JobFailure {
  return {
    ...abortReason('timeout').toFailure(),
    message: `the job ran longer than the ${timeoutMs} ms its pipeline allows; it was stopped and will be retried`,
  };
}

/** The handler's AbortSignal, made on first read (already aborted if the job was aborted before). */
export function signalOf(execution: Execution): AbortSignal {
  if (execution.controller === undefined) {
    execution.controller = new AbortController();
    if (execution.abortReason !== undefined) execution.controller.abort(execution.abortReason);
  }
  return execution.controller.signal;
}

/** A job just claimed, waiting for a slot; its log lines carry the job, attempt and correlation id. */
export function newExecution(job: Job, logger: JobLogger, workerId: string, renewedAt: number): Execution {
  return {
    job,
    started: false,
    slotHeld: false,
    lease: leaseOf(job),
    logger: logger.child({
      job_id: job.id,
      attempt: job.attemptCount,
      pipeline: job.pipeline,
      worker_id: workerId,
      correlation_id: job.correlationId,
    }),
    controller: undefined,
    abortReason: undefined,
    cause: undefined,
    renewedAt,
    startedAt: undefined,
    released: false,
    done: Promise.resolve(),
  };
}
