import { expect, it } from 'vitest';
import { leaseOf } from '../../../src/core/job.js';
import type { JobRepositoryBed } from './job-repository-bed.js';

/** Claim: due jobs in priority order, each handed to one claimer only. */
export function testClaim(bed: JobRepositoryBed): void {
  const { openRepository, freshPipeline, job } = bed;

  it('claims due jobs by priority then age, never future ones, and records the attempt', async () => {
    const pipeline = freshPipeline();
    const [low, high, future, lowLater] = await bed.repo.enqueueJobs([
      job(pipeline, { priority: 0 }),
      job(pipeline, { priority: 10 }),
      job(pipeline, { priority: 100, runAt: new Date(Date.now() + 3_600_000) }),
      job(pipeline, { priority: 0 }),
    ]);
    const claimed = await bed.repo.claimJobs({ workerId: 'w-claim', limit: 2, leaseMs: 30_000 });
    expect(claimed.map((j) => j.id)).toEqual([high!.job.id, low!.job.id]);
    const first = claimed[0]!;
    expect(first).toMatchObject({ state: 'running', attemptCount: 1, spentAttempts: 1, claimedBy: 'w-claim' });
    expect(first.leaseUntil!.getTime() - first.claimedAt!.getTime()).toBe(30_000);

    const rest = await bed.repo.claimJobs({ workerId: 'w-claim', limit: 10, leaseMs: 30_000 });
    expect(rest.map((j) => j.id)).toEqual([lowLater!.job.id]);
    const details = await bed.repo.getJob(first.id);
    expect(details?.attempts).toMatchObject([{ attemptNumber: 1, workerId: 'w-claim', finishedAt: null, outcome: null }]);
    expect(details?.transitions.map((t) => [t.fromState, t.toState, t.reason, t.attemptNumber])).toEqual([
      [null, 'pending', 'enqueued', 0],
      ['pending', 'running', 'claimed', 1],
    ]);
    for (const j of [...claimed, ...rest]) await bed.repo.completeJob(leaseOf(j), {});
    await bed.repo.cancelJob(future!.job.id);
  });

  it('never hands one job to two concurrent claimers', async () => {
    const pipeline = freshPipeline();
    await bed.repo.enqueueJobs(Array.from({ length: 300 }, (_, i) => job(pipeline, { scope: { n: i } })));
    const claimers = Array.from({ length: 6 }, () => openRepository());
    const claimedIds: string[] = [];
    await Promise.all(
      claimers.map(async (r, i) => {
        for (;;) {
          const batch = await r.claimJobs({ workerId: `racer-${i}`, limit: 7, leaseMs: 30_000 });
          if (batch.length === 0) return;
          claimedIds.push(...batch.map((j) => j.id));
          for (const j of batch) await r.completeJob(leaseOf(j), {});
        }
      }),
    );
    expect(claimedIds).toHaveLength(300);
    expect(new Set(claimedIds).size).toBe(300);
  });
}
