import { describe, expect, it } from 'vitest';
import type { FollowUpJob } from '../../src/core/follow-up.js';
import type { JobRepository } from '../../src/core/job-repository.js';
import { leaseOf, type Job, type JobLease } from '../../src/core/job.js';
import type { TestDatabase } from '../support/test-databases.js';
import { useJobRepositoryBed } from './job-repository/job-repository-bed.js';

const DAY_S = 86_400;

/**
 * Follow-up jobs (docs/adr/0023) enqueued by the success settle, in its transaction and after its
 * fence: once per (pipeline, key) whoever declares it, none for a settle the fence rejects, due by
 * the database's clock, any number in one settle.
 */
export function describeFollowUpsContract(driver: 'postgres' | 'sqlite', createDatabase: () => Promise<TestDatabase>): void {
  describe(`Follow-up jobs (${driver})`, () => {
    const bed = useJobRepositoryBed(driver, createDatabase);

    /** A follow-up due tomorrow, so that no claim of a later test takes it. */
    const later = (pipeline: string, key: string, extra: Partial<FollowUpJob> = {}): FollowUpJob => ({
      pipeline,
      scope: { key },
      key,
      delaySeconds: DAY_S,
      ...extra,
    });
    const runningParent = async (pipeline: string, correlationId?: string): Promise<{ job: Job; lease: JobLease }> => {
      const [enqueued] = await bed.repo.enqueueJobs([bed.job(pipeline, correlationId === undefined ? {} : { correlationId })]);
      const job = await bed.claimOne(bed.repo, 'w-follow');
      expect(job.id).toBe(enqueued?.job.id);
      return { job, lease: leaseOf(job) };
    };
    const jobsOf = async (repo: JobRepository, pipeline: string): Promise<Job[]> =>
      (await repo.listJobs({ filter: { pipeline }, limit: 200 })).jobs.sort((a, b) => Number(a.id) - Number(b.id));

    it('enqueues the declared follow-ups with the success: pending, with their parent, its correlation id and an enqueued transition', async () => {
      const parentPipeline = bed.freshPipeline();
      const target = bed.freshPipeline();
      const { job, lease } = await runningParent(parentPipeline, 'corr-follow-1');
      const result = await bed.repo.completeJob(lease, {
        counters: { records: 2, follow_ups_declared: 2 },
        followUps: [later(target, 'a', { params: { depth: 1 }, priority: 7 }), later(target, 'b')],
      });
      expect(result).toEqual({ applied: true, state: 'succeeded', followUps: [{ pipeline: target, enqueued: 2, duplicate: 0 }] });

      const children = await jobsOf(bed.repo, target);
      expect(children).toHaveLength(2);
      expect(children[0]).toMatchObject({
        state: 'pending',
        scope: { key: 'a' },
        params: { depth: 1 },
        priority: 7,
        parentJobId: job.id,
        correlationId: 'corr-follow-1',
        maxAttempts: job.maxAttempts,
        idempotencyKey: `follow-up:${target}:a`,
      });
      expect(children[1]).toMatchObject({ scope: { key: 'b' }, params: {}, priority: 0, parentJobId: job.id });
      const details = await bed.repo.getJob(children[0]!.id);
      expect(details?.transitions).toEqual([expect.objectContaining({ fromState: null, toState: 'pending', reason: 'enqueued' })]);
      const parent = await bed.repo.getJob(job.id);
      expect(parent?.job).toMatchObject({ state: 'succeeded', parentJobId: null, counters: { records: 2, follow_ups_declared: 2, follow_ups_enqueued: 2 } });
    });

    it('stores follow-ups in the order of their keys whatever the declared order (so settles sharing keys take them alike), reporting per pipeline', async () => {
      const parentPipeline = bed.freshPipeline();
      const target = bed.freshPipeline();
      const other = `${target}.other`;
      const { lease } = await runningParent(parentPipeline);
      const result = await bed.repo.completeJob(lease, {
        counters: {},
        followUps: [later(target, 'c'), later(other, 'b'), later(target, 'a'), later(target, 'b')],
      });
      expect(result).toMatchObject({ applied: true });
      if (result.applied) {
        expect(new Set(result.followUps)).toEqual(new Set([{ pipeline: target, enqueued: 3, duplicate: 0 }, { pipeline: other, enqueued: 1, duplicate: 0 }]));
      }
      const stored = [...(await jobsOf(bed.repo, target)), ...(await jobsOf(bed.repo, other))].sort((a, b) => Number(a.id) - Number(b.id));
      expect(stored.map((j) => j.idempotencyKey)).toEqual([`follow-up:${target}.other:b`, `follow-up:${target}:a`, `follow-up:${target}:b`, `follow-up:${target}:c`]);
    });

    it('gives one job per key, whether it comes again from a settle retried after it committed, another job or a re-run', async () => {
      const parentPipeline = bed.freshPipeline();
      const target = bed.freshPipeline();
      const other = bed.freshPipeline();
      const first = await runningParent(parentPipeline);
      const declared = [later(target, 'k1'), later(target, 'k2')];
      expect(await bed.repo.completeJob(first.lease, { followUps: declared })).toMatchObject({ applied: true, followUps: [{ pipeline: target, enqueued: 2, duplicate: 0 }] });
      // The same settle again (its reply was lost): the fence refuses it, nothing more is stored.
      expect(await bed.repo.completeJob(first.lease, { followUps: declared })).toEqual({ applied: false, reason: 'lease_lost' });

      // Another job of the same scope (a re-run) and a job of another scope declare k1 too.
      const rerun = await runningParent(parentPipeline);
      expect(await bed.repo.completeJob(rerun.lease, { followUps: [later(target, 'k1'), later(target, 'k3')] })).toMatchObject({
        followUps: [{ pipeline: target, enqueued: 1, duplicate: 1 }],
      });
      const [secondJob] = await bed.repo.enqueueJobs([bed.job(parentPipeline, { scope: { other: true } })]);
      const second = await bed.claimOne(bed.repo, 'w-follow');
      expect(second.id).toBe(secondJob?.job.id);
      // k1 of another pipeline is another follow-up: keys are namespaced by the pipeline they enqueue.
      expect(await bed.repo.completeJob(leaseOf(second), { followUps: [later(target, 'k1'), later(target, 'k1'), later(other, 'k1')] })).toMatchObject({
        followUps: [
          { pipeline: target, enqueued: 0, duplicate: 2 },
          { pipeline: other, enqueued: 1, duplicate: 0 },
        ],
      });

      const children = await jobsOf(bed.repo, target);
      expect(children.map((c) => [c.scope.key, c.parentJobId])).toEqual([
        ['k1', first.job.id],
        ['k2', first.job.id],
        ['k3', rerun.job.id],
      ]);
      expect((await jobsOf(bed.repo, other)).map((c) => c.parentJobId)).toEqual([second.id]);
      expect((await bed.repo.getJob(rerun.job.id))?.job.counters).toMatchObject({ follow_ups_enqueued: 1 });
      expect((await bed.repo.getJob(second.id))?.job.counters).toMatchObject({ follow_ups_enqueued: 1 });
    });

    it('stores no follow-up for a settle the fence rejects', async () => {
      const parentPipeline = bed.freshPipeline();
      const target = bed.freshPipeline();
      const { job, lease } = await runningParent(parentPipeline);
      const zombie = { ...lease, workerId: 'w-zombie' };
      expect(await bed.repo.completeJob(zombie, { followUps: [later(target, 'z1')] })).toEqual({ applied: false, reason: 'lease_lost' });
      expect(await jobsOf(bed.repo, target)).toEqual([]);
      expect((await bed.repo.getJob(job.id))?.job.state).toBe('running');
      // The rightful holder's settle later stores them.
      expect(await bed.repo.completeJob(lease, { followUps: [later(target, 'z1')] })).toMatchObject({ applied: true });
      expect(await jobsOf(bed.repo, target)).toHaveLength(1);
    });

    it('makes each due at the later of its runAt and the database now plus its delay', async () => {
      const parentPipeline = bed.freshPipeline();
      const target = bed.freshPipeline();
      const { job, lease } = await runningParent(parentPipeline);
      const farRunAt = new Date(Date.now() + 3 * DAY_S * 1000);
      farRunAt.setUTCMilliseconds(0);
      await bed.repo.completeJob(lease, {
        followUps: [
          later(target, 'delay-only', { delaySeconds: 2 * DAY_S }),
          later(target, 'run-at-later', { runAt: farRunAt.toISOString(), delaySeconds: 60 }),
          later(target, 'run-at-past', { runAt: '2001-01-01T00:00:00Z', delaySeconds: DAY_S + 0.5 }),
          later(target, 'run-at-offset', { runAt: '2999-06-01T13:00:00.250+01:00', delaySeconds: 0 }),
        ],
      });
      const settledAt = (await bed.repo.getJob(job.id))?.job.finishedAt;
      expect(settledAt).toBeInstanceOf(Date);
      const dueBy = new Map((await jobsOf(bed.repo, target)).map((c) => [c.idempotencyKey?.split(':').at(-1), c.nextRetryAt.getTime()]));
      // The settle's own instant is the database's now: the delay is counted from it, not from a worker's clock.
      expect(dueBy.get('delay-only')).toBe(settledAt!.getTime() + 2 * DAY_S * 1000);
      expect(dueBy.get('run-at-later')).toBe(farRunAt.getTime());
      expect(dueBy.get('run-at-past')).toBe(settledAt!.getTime() + DAY_S * 1000 + 500);
      expect(dueBy.get('run-at-offset')).toBe(Date.parse('2999-06-01T12:00:00.250Z'));
    });

    it('enqueues a follow-up due now for the next claim, and wakes idle workers', async () => {
      const parentPipeline = bed.freshPipeline();
      const target = bed.freshPipeline();
      const { lease } = await runningParent(parentPipeline);
      let woken = 0;
      const unsubscribe = await bed.repo.onJobsAvailable(() => woken++);
      try {
        await bed.repo.completeJob(lease, { followUps: [{ pipeline: target, scope: { now: true }, key: 'now' }] });
        const claimed = await bed.claimOne(bed.repo, 'w-follow');
        expect(claimed).toMatchObject({ pipeline: target, scope: { now: true } });
        await expect.poll(() => woken, { timeout: 30_000 }).toBeGreaterThan(0);
        await bed.repo.completeJob(leaseOf(claimed), {});
      } finally {
        await unsubscribe();
      }
    });

    it('stores 500 follow-ups of one settle together', async () => {
      const parentPipeline = bed.freshPipeline();
      const target = bed.freshPipeline();
      const { job, lease } = await runningParent(parentPipeline);
      const many = Array.from({ length: 500 }, (_, i) => later(target, `game-${i}`, { scope: { game: i } }));
      expect(await bed.repo.completeJob(lease, { followUps: many })).toMatchObject({ followUps: [{ pipeline: target, enqueued: 500, duplicate: 0 }] });
      const page = await bed.repo.listJobs({ filter: { pipeline: target }, limit: 200 });
      expect(page.jobs.every((c) => c.parentJobId === job.id && c.state === 'pending')).toBe(true);
      expect(page.nextCursor).not.toBeNull();
      expect((await bed.repo.getJob(job.id))?.job.counters).toMatchObject({ follow_ups_enqueued: 500 });
    });

    it('refuses a follow-up the ledger cannot store, and leaves the job running', async () => {
      const { job, lease } = await runningParent(bed.freshPipeline());
      await expect(bed.repo.completeJob(lease, { followUps: [later(bed.freshPipeline(), 'x', { runAt: 'not an instant' })] })).rejects.toThrow(RangeError);
      await expect(bed.repo.completeJob(lease, { followUps: [later(bed.freshPipeline(), 'x'.repeat(300))] })).rejects.toThrow(/idempotencyKey/);
      expect((await bed.repo.getJob(job.id))?.job.state).toBe('running');
      await bed.repo.completeJob(lease, {});
    });

    it('refuses follow-ups in a batched settle: those settle one by one', async () => {
      const pipeline = bed.freshPipeline();
      const { lease } = await runningParent(pipeline);
      expect(() => bed.repo.completeJobs([{ lease, input: { followUps: [later(bed.freshPipeline(), 'x')] } }])).toThrow(RangeError);
      await bed.repo.completeJob(lease, {});
    });
  });
}
