import { expect, it } from 'vitest';
import { type EnqueueJobInput } from '../../../src/core/job-repository.js';
import { type JsonValue } from '../../../src/core/job.js';
import type { JobRepositoryBed } from './job-repository-bed.js';

/** Enqueue: stored as asked, idempotent under races, refused whole when any input cannot be stored. */
export function testEnqueue(bed: JobRepositoryBed): void {
  const { openRepository, freshPipeline, job } = bed;

  it('enqueues a pending job with a canonical scope key and an "enqueued" transition', async () => {
    const pipeline = freshPipeline();
    const [result] = await bed.repo.enqueueJobs([
      job(pipeline, { scope: { event_type: 'past', country: 'BR' }, params: { page: 2 }, priority: 5, correlationId: 'req-1' }),
    ]);
    expect(result?.created).toBe(true);
    const created = result!.job;
    expect(created).toMatchObject({
      pipeline,
      state: 'pending',
      scope: { country: 'BR', event_type: 'past' },
      scopeKey: '{"country":"BR","event_type":"past"}',
      params: { page: 2 },
      priority: 5,
      attemptCount: 0,
      spentAttempts: 0,
      maxAttempts: 3,
      correlationId: 'req-1',
      cancelRequested: false,
      failure: null,
    });
    const details = await bed.repo.getJob(created.id);
    expect(details?.transitions.map((t) => [t.fromState, t.toState, t.reason])).toEqual([[null, 'pending', 'enqueued']]);
    expect(details?.attempts).toEqual([]);
    await bed.repo.cancelJob(created.id);
  });

  it('returns the existing job for a repeated idempotency key, within a batch and across calls', async () => {
    const pipeline = freshPipeline();
    const key = `idem-${pipeline}`;
    const [first, again] = await bed.repo.enqueueJobs([job(pipeline, { idempotencyKey: key }), job(pipeline, { idempotencyKey: key })]);
    const [later] = await openRepository().enqueueJobs([job(pipeline, { idempotencyKey: key, priority: 9 })]);
    expect(first?.created).toBe(true);
    expect(again).toEqual({ job: first?.job, created: false });
    expect(later?.created).toBe(false);
    expect(later?.job.id).toBe(first?.job.id);
    expect(later?.job.priority).toBe(0);
    const page = await bed.repo.listJobs({ filter: { pipeline }, limit: 10 });
    expect(page.jobs).toHaveLength(1);
    await bed.repo.cancelJob(first!.job.id);
  });

  it('creates one job when the same idempotency key is enqueued concurrently from separate connections', async () => {
    const pipeline = freshPipeline();
    const key = `race-${pipeline}`;
    const repositories = [openRepository(), openRepository(), openRepository(), openRepository()];
    const results = await Promise.all(repositories.map((r) => r.enqueueJobs([job(pipeline, { idempotencyKey: key })])));
    const ids = new Set(results.map((r) => r[0]?.job.id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r[0]?.created)).toHaveLength(1);
    await bed.repo.cancelJob([...ids][0]!);
  });

  it('enqueues a large batch in input order', async () => {
    const pipeline = freshPipeline();
    const inputs = Array.from({ length: 1200 }, (_, i) =>
      job(pipeline, { scope: { n: i }, ...(i % 100 === 0 ? { idempotencyKey: `${pipeline}-${i}` } : {}) }),
    );
    const results = await bed.repo.enqueueJobs(inputs);
    expect(results.map((r) => r.job.scope.n)).toEqual(inputs.map((i) => i.scope.n));
    expect(results.every((r) => r.created)).toBe(true);
    const again = await bed.repo.enqueueJobs(inputs.filter((i) => i.idempotencyKey !== undefined));
    expect(again.every((r) => !r.created)).toBe(true);
    for (const r of results) await bed.repo.cancelJob(r.job.id);
  });

  it('rejects invalid enqueue input without storing anything', async () => {
    const pipeline = freshPipeline();
    await expect(bed.repo.enqueueJobs([job(pipeline), job(pipeline, { maxAttempts: 0 })])).rejects.toThrow(/maxAttempts/);
    expect((await bed.repo.listJobs({ filter: { pipeline }, limit: 5 })).jobs).toEqual([]);
  });

  it('refuses what either database could not store, the same way on both, storing nothing', async () => {
    const pipeline = freshPipeline();
    let deep: JsonValue = 'leaf';
    for (let i = 0; i < 40; i++) deep = [deep];
    const refused: [Partial<EnqueueJobInput>, RegExp][] = [
      [{ scope: { name: 'a\u0000b' } }, /scope\.name must not contain the NUL/],
      [{ params: { note: ['\ud800'] } }, /params\.note\.0 must not contain an unpaired/],
      [{ params: { 'k\u0000': 1 } }, /params a key must not contain the NUL/],
      [{ scope: { deep } }, /scope\.deep\..* nests deeper than 32/],
      [{ correlationId: 'c\u0000' }, /correlationId must not contain the NUL/],
      [{ idempotencyKey: '\udc00' }, /idempotencyKey must not contain an unpaired/],
      [{ runAt: new Date('0000-06-01T00:00:00Z') }, /runAt must be a date from year 0001/],
      [{ runAt: new Date('+010000-01-01T00:00:00Z') }, /runAt must be a date from year 0001/],
    ];
    for (const [override, message] of refused) {
      await expect(bed.repo.enqueueJobs([job(pipeline), job(pipeline, override)])).rejects.toThrow(message);
    }
    expect((await bed.repo.listJobs({ filter: { pipeline }, limit: 5 })).jobs).toEqual([]);
  });
}
