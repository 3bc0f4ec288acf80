import type { Storage } from '../../src/adapters/storage/shared/storage.js';
import { normalizedHash } from '../../src/core/content-hashes.js';
import { leaseOf } from '../../src/core/job.js';

/**
 * Publishes `eventCount` publications through the real success settle (two pipelines,
 * bench.feed-a and bench.feed-b, 50 scopes), each with its outbox event, `publishers` at a time.
 */
export async function seedPublications(storage: Storage, eventCount: number, publishers: number): Promise<void> {
  const jobs = Array.from({ length: eventCount }, (_, n) => ({
    pipeline: n % 2 === 0 ? 'bench.feed-a' : 'bench.feed-b',
    scope: { name: `s${n % 50}` },
    params: { n },
    maxAttempts: 1,
    forceRepublish: false,
  }));
  for (let i = 0; i < jobs.length; i += 1000) await storage.jobs.enqueueJobs(jobs.slice(i, i + 1000));
  await Promise.all(
    Array.from({ length: publishers }, async (_, p) => {
      for (;;) {
        const [job] = await storage.jobs.claimJobs({ workerId: `seed-${p}`, limit: 1, leaseMs: 60_000 });
        if (job === undefined) return;
        const payload = { records: [{ n: Number(job.params.n) }] };
        await storage.jobs.completeJob(leaseOf(job), {
          ingestion: {
            scope: job.scope,
            sourceSnapshotIds: [],
            sourceSnapshotHash: normalizedHash({ source: payload }),
            normalizedHash: normalizedHash(payload),
            parserVersion: '1',
            normalizerVersion: '1',
            payload,
            forced: false,
          },
        });
      }
    }),
  );
}
