import { expect, it } from 'vitest';
import { leaseOf, type JobLease } from '../../../src/core/job.js';
import { passDeadline } from '../../support/database-clock.js';
import { waitFor } from '../../support/wait-for.js';
import { NETWORK, type JobRepositoryBed } from './job-repository-bed.js';

/** Leases: renewed while held, reclaimed once expired, and what an expiry costs a job. */
export function testLease(bed: JobRepositoryBed): void {
  const { openRepository, freshPipeline, job, claimOne } = bed;

  it('renews held leases and reports cancel requests and lost leases', async () => {
    const pipeline = freshPipeline();
    await bed.repo.enqueueJobs([job(pipeline), job(pipeline)]);
    const [a, b] = await bed.repo.claimJobs({ workerId: 'w-renew', limit: 2, leaseMs: 30_000 });
    await bed.repo.cancelJob(b!.id);
    const stranger: JobLease = { jobId: a!.id, attemptNumber: 1, workerId: 'someone-else' };
    const renewals = await bed.repo.renewLeases('w-renew', [leaseOf(a!), leaseOf(b!), { ...leaseOf(a!), attemptNumber: 7 }], 60_000);
    expect(renewals.map((r) => r.status)).toEqual(['renewed', 'cancel_requested', 'lost']);
    expect(renewals[0]!.leaseUntil!.getTime()).toBeGreaterThan(a!.leaseUntil!.getTime());
    expect((await bed.repo.renewLeases('someone-else', [stranger], 60_000))[0]?.status).toBe('lost');
    await bed.repo.completeJob(leaseOf(a!), {});
    expect((await bed.repo.renewLeases('w-renew', [leaseOf(a!)], 60_000))[0]?.status).toBe('lost');
    await bed.repo.cancelRunningJob(leaseOf(b!));
  });

  it('reclaims an expired lease, closes the dead attempt and rejects the old worker\'s late settle', async () => {
    const pipeline = freshPipeline();
    await bed.repo.enqueueJobs([job(pipeline)]);
    const stalled = await claimOne(bed.repo, 'w-stalled');
    expect(await bed.repo.claimJobs({ workerId: 'w-rescuer', limit: 5, leaseMs: 30_000 })).toEqual([]);
    await passDeadline(bed.driver, bed.database.dsn, 'lease_until', [stalled.id]);
    const rescuer = openRepository();
    const reclaimed = await claimOne(rescuer, 'w-rescuer');
    // The dead attempt is an interruption, not a charged attempt: the rescue's claim spends one.
    expect(reclaimed).toMatchObject({ id: stalled.id, attemptCount: 2, spentAttempts: 1, interruptions: 1, claimedBy: 'w-rescuer' });

    expect(await bed.repo.completeJob(leaseOf(stalled), {})).toEqual({ applied: false, reason: 'lease_lost' });
    expect(await bed.repo.failJob(leaseOf(stalled), NETWORK, { state: 'pending', retryDelayMs: 10 })).toEqual({
      applied: false,
      reason: 'lease_lost',
    });
    let details = await bed.repo.getJob(stalled.id);
    expect(details?.job).toMatchObject({ state: 'running', claimedBy: 'w-rescuer', attemptCount: 2 });
    expect(details?.attempts.map((a) => [a.attemptNumber, a.workerId, a.outcome, a.failure?.category ?? null])).toEqual([
      [1, 'w-stalled', 'lease_expired', 'lease_lost'],
      [2, 'w-rescuer', null, null],
    ]);

    expect(await rescuer.completeJob(leaseOf(reclaimed), {})).toEqual({ applied: true, state: 'succeeded' });
    details = await bed.repo.getJob(stalled.id);
    expect(details?.transitions.map((t) => `${t.attemptNumber}:${t.fromState}->${t.toState}:${t.reason}`)).toEqual([
      '0:null->pending:enqueued',
      '1:pending->running:claimed',
      '1:running->pending:lease_expired',
      '2:pending->running:claimed',
      '2:running->succeeded:succeeded',
    ]);
  });

  it('does not charge expired leases to the attempt budget, and ends the job exhausted at the interruption ceiling', async () => {
    const pipeline = freshPipeline();
    const [enqueued] = await bed.repo.enqueueJobs([job(pipeline, { maxAttempts: 1 })]);
    const jobId = enqueued!.job.id;
    // A worker that dies with the job every time: it claims with a short lease and never settles.
    const claimDying = () => bed.repo.claimJobs({ workerId: 'w-dies', limit: 1, leaseMs: 100, maxInterruptions: 3 });
    const first = await claimDying();
    expect(first).toMatchObject([{ id: jobId, attemptCount: 1, spentAttempts: 1, interruptions: 0 }]);
    for (const interruptions of [1, 2]) {
      // Each claim rescues the job once its lease has expired by the database's clock.
      const [rescued] = await waitFor(`rescue ${interruptions}`, async () => {
        const claimed = await claimDying();
        return claimed.length > 0 ? claimed : undefined;
      });
      // More expiries than max_attempts, yet the job is still running on its one charged attempt.
      expect(rescued).toMatchObject({ id: jobId, state: 'running', attemptCount: interruptions + 1, spentAttempts: 1, interruptions });
    }
    const exhausted = await waitFor('the third expiry to end the job', async () => {
      expect(await claimDying()).toEqual([]);
      const details = await bed.repo.getJob(jobId);
      return details?.job.state === 'exhausted' ? details : undefined;
    });
    expect(exhausted.job).toMatchObject({
      state: 'exhausted',
      interruptions: 3,
      spentAttempts: 0,
      claimedBy: null,
      failure: { category: 'lease_lost', code: 'TOO_MANY_INTERRUPTIONS' },
    });
    expect(exhausted.job.finishedAt).not.toBeNull();
    // GET jobs/{id} still shows each interruption as an attempt of its own.
    expect(exhausted.attempts.map((a) => [a.attemptNumber, a.outcome, a.failure?.code])).toEqual([
      [1, 'lease_expired', 'LEASE_EXPIRED'],
      [2, 'lease_expired', 'LEASE_EXPIRED'],
      [3, 'lease_expired', 'LEASE_EXPIRED'],
    ]);
    expect(exhausted.transitions.at(-1)).toMatchObject({ attemptNumber: 3, fromState: 'running', toState: 'exhausted', reason: 'lease_expired' });

    // An operator's retry starts the interruption count afresh, as it does the budget.
    expect(await bed.repo.retryJob(jobId)).toMatchObject({ ok: true, job: { state: 'pending', spentAttempts: 0, interruptions: 0 } });
    await bed.repo.cancelJob(jobId);
  });

  it('ends an expired job cancelled when a cancel was pending', async () => {
    const pipeline = freshPipeline();
    const [cancelled] = await bed.repo.enqueueJobs([job(pipeline)]);
    expect(await bed.repo.claimJobs({ workerId: 'w-dies', limit: 1, leaseMs: 100 })).toHaveLength(1);
    await bed.repo.cancelJob(cancelled!.job.id);
    const details = await waitFor('the expired job to end cancelled', async () => {
      expect(await bed.repo.claimJobs({ workerId: 'w-next', limit: 5, leaseMs: 30_000 })).toEqual([]);
      const found = await bed.repo.getJob(cancelled!.job.id);
      return found?.job.state === 'cancelled' ? found : undefined;
    });
    expect(details.job.failure).toMatchObject({ category: 'lease_lost', code: 'LEASE_EXPIRED' });
    expect(details.attempts.map((a) => a.outcome)).toEqual(['lease_expired']);
  });
}
