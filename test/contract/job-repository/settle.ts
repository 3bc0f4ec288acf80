import { expect, it } from 'vitest';
import { leaseOf } from '../../../src/core/job.js';
import { passDeadline } from '../../support/database-clock.js';
import { DATABASE, NETWORK, PARSE, type JobRepositoryBed } from './job-repository-bed.js';

/** Settle: success, failure, retry and release, each fenced on the lease it settles. */
export function testSettle(bed: JobRepositoryBed): void {
  const { freshPipeline, job, claimOne } = bed;

  it('fences every settle on job, attempt number and worker', async () => {
    const pipeline = freshPipeline();
    await bed.repo.enqueueJobs([job(pipeline)]);
    const claimed = await claimOne(bed.repo, 'w-fence');
    const lease = leaseOf(claimed);
    const wrong = [
      { ...lease, workerId: 'w-other' },
      { ...lease, attemptNumber: 2 },
    ];
    for (const bad of wrong) {
      expect(await bed.repo.completeJob(bad, {})).toEqual({ applied: false, reason: 'lease_lost' });
      expect(await bed.repo.failJob(bad, PARSE, { state: 'failed' })).toEqual({ applied: false, reason: 'lease_lost' });
      expect(await bed.repo.releaseJob(bad, 'test')).toEqual({ applied: false, reason: 'lease_lost' });
    }
    const untouched = await bed.repo.getJob(claimed.id);
    expect(untouched?.job.state).toBe('running');
    expect(untouched?.attempts[0]?.finishedAt).toBeNull();

    expect(await bed.repo.completeJob(lease, { counters: { records: 3 }, parserVersion: 'p1' })).toEqual({ applied: true, state: 'succeeded' });
    expect(await bed.repo.completeJob(lease, {})).toEqual({ applied: false, reason: 'lease_lost' });
    const done = await bed.repo.getJob(claimed.id);
    expect(done?.job).toMatchObject({ state: 'succeeded', counters: { records: 3 }, parserVersion: 'p1', claimedBy: null, leaseUntil: null });
    expect(done?.job.finishedAt).not.toBeNull();
    expect(done?.attempts[0]).toMatchObject({ outcome: 'succeeded', failure: null });
    expect(done?.attempts[0]?.durationMs).toBeGreaterThanOrEqual(0);
    expect(done?.transitions.at(-1)).toMatchObject({ fromState: 'running', toState: 'succeeded', attemptNumber: 1 });
  });

  it('settles a batch of successes in one call, each fenced on its own lease, results in order', async () => {
    const pipeline = freshPipeline();
    await bed.repo.enqueueJobs([job(pipeline), job(pipeline), job(pipeline)]);
    const claimed = await bed.repo.claimJobs({ workerId: 'w-batch', limit: 3, leaseMs: 30_000 });
    expect(claimed).toHaveLength(3);
    const [a, b, c] = claimed.map(leaseOf);
    const results = await bed.repo.completeJobs([
      { lease: a!, input: { counters: { n: 1 } } },
      { lease: { ...b!, workerId: 'w-other' }, input: {} },
      { lease: c!, input: { parserVersion: 'p2' } },
      { lease: { ...a!, attemptNumber: 9 }, input: {} },
    ]);
    expect(results).toEqual([
      { applied: true, state: 'succeeded' },
      { applied: false, reason: 'lease_lost' },
      { applied: true, state: 'succeeded' },
      { applied: false, reason: 'lease_lost' },
    ]);
    const first = await bed.repo.getJob(a!.jobId);
    expect(first?.job).toMatchObject({ state: 'succeeded', counters: { n: 1 } });
    expect(first?.attempts[0]?.outcome).toBe('succeeded');
    expect(first?.transitions.at(-1)).toMatchObject({ fromState: 'running', toState: 'succeeded', attemptNumber: 1 });
    expect((await bed.repo.getJob(c!.jobId))?.job).toMatchObject({ state: 'succeeded', parserVersion: 'p2' });
    const untouched = await bed.repo.getJob(b!.jobId);
    expect(untouched?.job.state).toBe('running');
    expect(untouched?.attempts[0]?.finishedAt).toBeNull();
    expect(await bed.repo.completeJobs([])).toEqual([]);
    await bed.repo.completeJob(b!, {});
  });

  it('gives back an attempt that failed for a database fault, counting an interruption instead', async () => {
    const pipeline = freshPipeline();
    const [enqueued] = await bed.repo.enqueueJobs([job(pipeline, { maxAttempts: 1 })]);
    const claimed = await claimOne(bed.repo, 'w-db');
    expect(await bed.repo.failJob(leaseOf(claimed), DATABASE, { state: 'pending', retryDelayMs: 0, interrupted: true })).toEqual({
      applied: true,
      state: 'pending',
    });
    const pending = await bed.repo.getJob(enqueued!.job.id);
    expect(pending?.job).toMatchObject({ state: 'pending', spentAttempts: 0, interruptions: 1, failure: DATABASE });
    expect(pending?.attempts[0]).toMatchObject({ attemptNumber: 1, outcome: 'failed', failure: DATABASE });

    const again = await claimOne(bed.repo, 'w-db');
    expect(again).toMatchObject({ id: enqueued!.job.id, attemptCount: 2, spentAttempts: 1, interruptions: 1 });
    expect(await bed.repo.failJob(leaseOf(again), DATABASE, { state: 'exhausted', interrupted: true, interruptions: 2 })).toEqual({
      applied: true,
      state: 'exhausted',
    });
    const ended = await bed.repo.getJob(enqueued!.job.id);
    expect(ended?.job).toMatchObject({ state: 'exhausted', interruptions: 2, failure: { code: 'TOO_MANY_INTERRUPTIONS' } });
    expect(ended?.attempts[1]).toMatchObject({ outcome: 'failed', failure: DATABASE });
  });

  it('schedules a retry at exactly now + delay on the database clock, and ends failed or exhausted', async () => {
    const pipeline = freshPipeline();
    const [retried, failed] = await bed.repo.enqueueJobs([job(pipeline, { maxAttempts: 2, priority: 1 }), job(pipeline)]);
    const [first, other] = await bed.repo.claimJobs({ workerId: 'w-fail', limit: 2, leaseMs: 30_000 });
    expect(first?.id).toBe(retried!.job.id);

    expect(await bed.repo.failJob(leaseOf(first!), NETWORK, { state: 'pending', retryDelayMs: 30_000 })).toEqual({ applied: true, state: 'pending' });
    const pending = await bed.repo.getJob(first!.id);
    const attemptEnd = pending!.attempts[0]!.finishedAt!;
    expect(pending!.job.nextRetryAt.getTime() - attemptEnd.getTime()).toBe(30_000);
    expect(pending!.job).toMatchObject({ state: 'pending', failure: NETWORK, claimedBy: null, spentAttempts: 1 });
    expect(pending!.attempts[0]).toMatchObject({ outcome: 'failed', failure: NETWORK });
    expect(await bed.repo.claimJobs({ workerId: 'w-fail', limit: 1, leaseMs: 30_000 })).toEqual([]);
    await passDeadline(bed.driver, bed.database.dsn, 'next_retry_at', [first!.id]);
    const second = await claimOne(bed.repo, 'w-fail');
    expect(second).toMatchObject({ id: first!.id, attemptCount: 2 });
    await bed.repo.failJob(leaseOf(second), NETWORK, { state: 'exhausted' });
    expect((await bed.repo.getJob(first!.id))?.job).toMatchObject({ state: 'exhausted', failure: NETWORK });

    await bed.repo.failJob(leaseOf(other!), PARSE, { state: 'failed' });
    const failedDetails = await bed.repo.getJob(failed!.job.id);
    expect(failedDetails?.job).toMatchObject({ state: 'failed', failure: PARSE, attemptCount: 1 });
    expect(failedDetails?.job.finishedAt).not.toBeNull();
    expect(failedDetails?.transitions.at(-1)).toMatchObject({ fromState: 'running', toState: 'failed', reason: 'failed' });
  });

  it('releases a lease without charging the attempt', async () => {
    const pipeline = freshPipeline();
    await bed.repo.enqueueJobs([job(pipeline, { maxAttempts: 1 })]);
    const claimed = await claimOne(bed.repo, 'w-release');
    expect(await bed.repo.releaseJob(leaseOf(claimed), 'released_on_shutdown')).toEqual({ applied: true, state: 'pending' });
    const released = await bed.repo.getJob(claimed.id);
    expect(released?.job).toMatchObject({ state: 'pending', spentAttempts: 0, attemptCount: 1, claimedBy: null });
    expect(released?.attempts[0]?.outcome).toBe('released');
    // However often it is released, a job is never charged or interrupted for it.
    let again = await claimOne(bed.repo, 'w-release');
    for (let release = 2; release <= 5; release++) {
      expect(again).toMatchObject({ attemptCount: release, spentAttempts: 1, interruptions: 0 });
      expect(await bed.repo.releaseJob(leaseOf(again), 'released_on_shutdown')).toEqual({ applied: true, state: 'pending' });
      again = await claimOne(bed.repo, 'w-release');
    }
    expect(again).toMatchObject({ state: 'running', attemptCount: 6, spentAttempts: 1, interruptions: 0 });
    await bed.repo.completeJob(leaseOf(again), {});
  });
}
