import { expect, it } from 'vitest';
import { leaseOf } from '../../../src/core/job.js';
import { NETWORK, type JobRepositoryBed } from './job-repository-bed.js';

/** Operator actions: cancel and retry, as the API asks for them. */
export function testOperatorActions(bed: JobRepositoryBed): void {
  const { freshPipeline, job, claimOne } = bed;

  it('cancels pending jobs at once, requests cancellation of running ones, and refuses finished ones', async () => {
    const pipeline = freshPipeline();
    const [pending, running] = await bed.repo.enqueueJobs([job(pipeline, { runAt: new Date(Date.now() + 60_000) }), job(pipeline)]);
    const cancelledNow = await bed.repo.cancelJob(pending!.job.id);
    expect(cancelledNow).toMatchObject({ ok: true, effect: 'cancelled', job: { state: 'cancelled', failure: { category: 'cancelled' } } });

    const claimed = await claimOne(bed.repo, 'w-cancel');
    expect(claimed.id).toBe(running!.job.id);
    expect(await bed.repo.cancelJob(claimed.id)).toMatchObject({ ok: true, effect: 'cancel_requested', job: { state: 'running', cancelRequested: true } });
    expect(await bed.repo.cancelRunningJob(leaseOf(claimed))).toEqual({ applied: true, state: 'cancelled' });
    const details = await bed.repo.getJob(claimed.id);
    expect(details?.attempts[0]).toMatchObject({ outcome: 'cancelled', failure: { category: 'cancelled' } });

    expect(await bed.repo.cancelJob(claimed.id)).toEqual({ ok: false, reason: 'invalid_state', state: 'cancelled' });
    expect(await bed.repo.cancelJob('999999999')).toEqual({ ok: false, reason: 'not_found' });
    expect(await bed.repo.cancelJob('abc')).toEqual({ ok: false, reason: 'not_found' });
  });

  it('retries failed, exhausted and cancelled jobs with a fresh budget and continuing attempt numbers', async () => {
    const pipeline = freshPipeline();
    const [enqueued] = await bed.repo.enqueueJobs([job(pipeline, { maxAttempts: 1 })]);
    const claimed = await claimOne(bed.repo, 'w-retry');
    await bed.repo.failJob(leaseOf(claimed), NETWORK, { state: 'exhausted' });
    expect(await bed.repo.retryJob('424242424242')).toEqual({ ok: false, reason: 'not_found' });

    const retried = await bed.repo.retryJob(enqueued!.job.id);
    expect(retried).toMatchObject({ ok: true, job: { state: 'pending', spentAttempts: 0, attemptCount: 1, finishedAt: null } });
    expect(await bed.repo.retryJob(enqueued!.job.id)).toEqual({ ok: false, reason: 'invalid_state', state: 'pending' });
    const again = await claimOne(bed.repo, 'w-retry');
    expect(again).toMatchObject({ id: enqueued!.job.id, attemptCount: 2, spentAttempts: 1 });
    await bed.repo.completeJob(leaseOf(again), {});
    expect(await bed.repo.retryJob(enqueued!.job.id)).toEqual({ ok: false, reason: 'invalid_state', state: 'succeeded' });
    const details = await bed.repo.getJob(enqueued!.job.id);
    expect(details?.transitions.map((t) => t.reason)).toEqual(['enqueued', 'claimed', 'exhausted', 'retried_by_operator', 'claimed', 'succeeded']);
  });
}
