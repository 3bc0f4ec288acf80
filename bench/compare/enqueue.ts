import type { BenchServer } from './database.js';
import type { EnqueueResult } from './results.js';
import type { QueueProducer, QueueSubject } from './subject.js';

const PRODUCER_POOL = 4;

/** Enqueues `total` jobs through the queue's bulk API, `batch` per call, numbering them from `from`. */
export async function enqueueInBulk(producer: QueueProducer, from: number, total: number, batch: number): Promise<void> {
  for (let done = 0; done < total; done += batch) await producer.enqueueBulk(from + done, Math.min(batch, total - done));
}

/**
 * Enqueue rate on a fresh database: `oneJobs` jobs with one awaited call each, then `bulkJobs`
 * more through the bulk API in calls of `batch`.
 */
export async function measureEnqueue(
  server: BenchServer,
  subject: QueueSubject,
  options: { oneJobs: number; bulkJobs: number; batch: number; quiet: () => Promise<number> },
): Promise<EnqueueResult> {
  const database = await server.createDatabase(`${subject.id}_enqueue`);
  try {
    const producer = await subject.openProducer(database.dsn, PRODUCER_POOL);
    try {
      const cpuBusyBefore = await options.quiet();
      const oneStarted = performance.now();
      for (let seq = 0; seq < options.oneJobs; seq++) await producer.enqueueOne(seq);
      const oneMs = performance.now() - oneStarted;
      const bulkStarted = performance.now();
      await enqueueInBulk(producer, options.oneJobs, options.bulkJobs, options.batch);
      const bulkMs = performance.now() - bulkStarted;
      return {
        queue: subject.id,
        cpuBusyBefore,
        oneAtATime: { jobs: options.oneJobs, ms: Math.round(oneMs), perSec: Math.round((options.oneJobs / oneMs) * 1000) },
        bulk: { jobs: options.bulkJobs, batch: options.batch, ms: Math.round(bulkMs), perSec: Math.round((options.bulkJobs / bulkMs) * 1000) },
      };
    } finally {
      await producer.close();
    }
  } finally {
    await database.drop();
  }
}
