import { expect, it } from 'vitest';
import { InvalidCursorError } from '../../../src/core/job-repository.js';
import { leaseOf, type JobDetails } from '../../../src/core/job.js';
import { NETWORK, PARSE, type JobRepositoryBed } from './job-repository-bed.js';

/** Listing and lookup: filters, cursor pages, and filter values that are only data. */
export function testListing(bed: JobRepositoryBed): void {
  const { freshPipeline, job, claimOne } = bed;

  it('lists jobs newest first with filters and a stable cursor, treating filter values as data', async () => {
    const pipeline = freshPipeline();
    const results = await bed.repo.enqueueJobs(Array.from({ length: 7 }, (_, i) => job(pipeline, { scope: { n: i } })));
    const ids = results.map((r) => r.job.id).reverse();
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await bed.repo.listJobs({ filter: { pipeline, states: ['pending'] }, limit: 3, ...(cursor === undefined ? {} : { cursor }) });
      seen.push(...page.jobs.map((j) => j.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(seen).toEqual(ids);

    const scopeKey = results[2]!.job.scopeKey;
    expect((await bed.repo.listJobs({ filter: { pipeline, scopeKey }, limit: 10 })).jobs.map((j) => j.id)).toEqual([results[2]!.job.id]);
    expect((await bed.repo.listJobs({ filter: { pipeline, states: ['running'] }, limit: 10 })).jobs).toEqual([]);
    const createdAt = results[0]!.job.createdAt;
    expect((await bed.repo.listJobs({ filter: { pipeline, createdFrom: new Date(createdAt.getTime() + 3_600_000) }, limit: 10 })).jobs).toEqual([]);
    expect((await bed.repo.listJobs({ filter: { pipeline, createdTo: new Date(createdAt.getTime() + 3_600_000) }, limit: 10 })).jobs).toHaveLength(7);
    expect((await bed.repo.listJobs({ filter: { pipeline: `${pipeline}' OR '1'='1` }, limit: 10 })).jobs).toEqual([]);
    expect((await bed.repo.listJobs({ filter: { scopeKey: "x'); DROP TABLE ingestion_jobs; --" }, limit: 10 })).jobs).toEqual([]);
    await expect(bed.repo.listJobs({ filter: {}, limit: 10, cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(InvalidCursorError);
    expect(await bed.repo.getJob('1; DROP TABLE ingestion_jobs')).toBeNull();
    expect(await bed.repo.getJob('99999999999999999999999')).toBeNull();
    for (const r of results) await bed.repo.cancelJob(r.job.id);
  });

  it('looks a job up whole while another connection settles it: its state, attempts and transitions always agree', async () => {
    const pipeline = freshPipeline();
    const worker = bed.openRepository();
    const reader = bed.openRepository();
    const rounds = 30;
    const [enqueued] = await bed.repo.enqueueJobs([job(pipeline, { maxAttempts: rounds + 1 })]);
    const id = enqueued!.job.id;
    const disagreements: string[] = [];
    const check = (details: JobDetails | null) => {
      if (details === null) return;
      const { state, attemptCount } = details.job;
      const last = details.attempts.at(-1);
      const lastTransition = details.transitions.at(-1)?.toState;
      if ((state === 'running') !== (last?.finishedAt === null) || lastTransition !== state || (state === 'running' && last?.attemptNumber !== attemptCount)) {
        disagreements.push(`job ${state} at attempt ${attemptCount}; attempt ${last?.attemptNumber} ${last?.finishedAt === null ? 'open' : 'finished'}; last transition to ${lastTransition}`);
      }
    };
    // Each round a reader keeps looking the job up, on its own connection, while the worker's settle commits.
    for (let round = 1; round <= rounds; round++) {
      const claimed = await claimOne(worker, 'w-lookup');
      let settled = false;
      const reading = (async () => {
        do check(await reader.getJob(id));
        while (!settled);
        check(await reader.getJob(id));
      })();
      const last = round === rounds;
      await worker.failJob(leaseOf(claimed), last ? PARSE : NETWORK, last ? { state: 'failed' } : { state: 'pending', retryDelayMs: 0 });
      settled = true;
      await reading;
    }
    expect(disagreements).toEqual([]);
    expect((await bed.repo.getJob(id))?.job).toMatchObject({ state: 'failed', attemptCount: rounds });
  });
}
