import { expect, it } from 'vitest';
import { waitFor } from '../../support/wait-for.js';
import type { JobRepositoryBed } from './job-repository-bed.js';

/** Notifications: listeners hear of new jobs and of cancel requests. */
export function testNotifications(bed: JobRepositoryBed): void {
  const { openRepository, freshPipeline, job, claimOne } = bed;

  it('tells listeners when jobs become available', async () => {
    const listening = openRepository();
    let wakeups = 0;
    const unsubscribe = await listening.onJobsAvailable(() => {
      wakeups++;
    });
    // PostgreSQL notifies listeners on every connection; SQLite wakes listeners in its own process.
    const enqueuer = bed.driver === 'postgres' ? openRepository() : listening;
    const [enqueued] = await enqueuer.enqueueJobs([job(freshPipeline())]);
    await waitFor('a wake-up', () => wakeups > 0, 5_000);
    await unsubscribe();
    await bed.repo.cancelJob(enqueued!.job.id);
  });

  it('tells listeners when a running job is asked to cancel, and not when a pending one is cancelled', async () => {
    const listening = openRepository();
    const signals: (string | undefined)[] = [];
    const unsubscribe = await listening.onCancelRequested((jobId) => signals.push(jobId));
    try {
      const pipeline = freshPipeline();
      const [running] = await bed.repo.enqueueJobs([job(pipeline, { scope: { n: 1 } })]);
      const claimed = await claimOne(bed.repo, 'w-cancel-signal');
      expect(claimed.id).toBe(running!.job.id);
      const [pending] = await bed.repo.enqueueJobs([job(pipeline, { scope: { n: 2 } })]);

      // Pending: cancelled on the spot, no worker to tell.
      expect(await bed.repo.cancelJob(pending!.job.id)).toMatchObject({ ok: true, effect: 'cancelled' });
      // Running: through another repository (another connection), as the API does.
      expect(await openRepository().cancelJob(running!.job.id)).toMatchObject({ ok: true, effect: 'cancel_requested' });
      await waitFor('the cancel signal', () => signals.includes(running!.job.id), 5_000);
      expect(signals).not.toContain(pending!.job.id);
      await listening.cancelRunningJob({ jobId: running!.job.id, attemptNumber: claimed.attemptCount, workerId: 'w-cancel-signal' });
    } finally {
      await unsubscribe();
    }
  });
}
