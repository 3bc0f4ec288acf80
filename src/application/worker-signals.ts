import type { JobRepository, Unsubscribe } from '../core/job-repository.js';

export interface WorkerSignalHandlers {
  /** Jobs may have become available. */
  onJobs: () => void;
  /** A cancel was requested for this job (or, `undefined`, requests may have been missed). */
  onCancelRequested: (jobId: string | undefined) => void;
}

/**
 * Subscribes a worker to the repository's wake-ups and cancel requests; one call undoes both. The
 * repository keeps the subscriptions through outages, so a failure here is only logged by the caller.
 */
export async function subscribeWorkerSignals(
  repository: Pick<JobRepository, 'onJobsAvailable' | 'onCancelRequested'>,
  handlers: WorkerSignalHandlers,
): Promise<Unsubscribe> {
  const unsubscribeJobs = await repository.onJobsAvailable(handlers.onJobs);
  let unsubscribeCancels: Unsubscribe;
  try {
    unsubscribeCancels = await repository.onCancelRequested(handlers.onCancelRequested);
  } catch (error) {
    await unsubscribeJobs().catch(() => undefined);
    throw error;
  }
  return async () => {
    await Promise.allSettled([unsubscribeJobs(), unsubscribeCancels()]);
  };
}
