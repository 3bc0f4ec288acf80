import { expect, it } from 'vitest';
import { InvalidCursorError } from '../../../src/core/job-repository.js';
import type { JobRepositoryBed } from './job-repository-bed.js';

/** Listing and lookup: filters, cursor pages, and filter values that are only data. */
export function testListing(bed: JobRepositoryBed): void {
  const { freshPipeline, job } = bed;

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
}
