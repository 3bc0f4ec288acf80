import { describe, expect, it } from 'vitest';
import { CompletionBatcher } from '../../src/application/completion-batcher.js';
import { DatabaseUnavailableError } from '../../src/core/database-unavailable.js';
import type { SettleResult, SuccessSettle } from '../../src/core/job-repository.js';
import type { JobLease } from '../../src/core/job.js';

const lease = (jobId: string): JobLease => ({ jobId, attemptNumber: 1, workerId: 'w' });

/** A repository whose statement is refused whenever it holds the job `poison`, as PostgreSQL refuses a bad row. */
function refusing(error: () => Error) {
  const statements: string[][] = [];
  const repository = {
    completeJobs: (settles: SuccessSettle[]): Promise<SettleResult[]> => {
      const ids = settles.map((s) => s.lease.jobId);
      statements.push(ids);
      if (ids.includes('poison')) return Promise.reject(error());
      return Promise.resolve(settles.map((): SettleResult => ({ applied: true, state: 'succeeded' })));
    },
  };
  return { batcher: new CompletionBatcher(repository), statements };
}

describe('CompletionBatcher', () => {
  it('settles the members of a batch the database refused on their own: only the bad one fails', async () => {
    const { batcher, statements } = refusing(() => new Error('unsupported Unicode escape sequence'));
    const ids = ['a', 'b', 'poison', 'c'];
    const settled = await Promise.allSettled(ids.map((id) => batcher.complete(lease(id), {})));
    expect(statements[0]).toEqual(ids);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(settled[0]).toMatchObject({ value: { applied: true } });
  });

  it('rejects every member of a batch lost to an outage, for each to retry its own settle', async () => {
    const { batcher, statements } = refusing(() => new DatabaseUnavailableError('DATABASE_UNREACHABLE', false, 'connect ECONNREFUSED'));
    const settled = await Promise.allSettled(['a', 'poison'].map((id) => batcher.complete(lease(id), {})));
    expect(statements).toHaveLength(1);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
  });
});
