import { describe } from 'vitest';
import type { TestDatabase } from '../support/test-databases.js';
import { testClaim } from './job-repository/claim.js';
import { testEnqueue } from './job-repository/enqueue.js';
import { useJobRepositoryBed, type JobRepositoryBed } from './job-repository/job-repository-bed.js';
import { testLease } from './job-repository/lease.js';
import { testListing } from './job-repository/listing.js';
import { testNotifications } from './job-repository/notifications.js';
import { testOperatorActions } from './job-repository/operator-actions.js';
import { testSettle } from './job-repository/settle.js';

/**
 * The repository contract by operation, one file each under job-repository/. A new operation's file
 * goes in this list; storage-contracts.test.ts fails while a file there is left out.
 */
export const JOB_REPOSITORY_OPERATIONS: readonly ((bed: JobRepositoryBed) => void)[] = [
  testEnqueue,
  testClaim,
  testLease,
  testSettle,
  testOperatorActions,
  testListing,
  testNotifications,
];

/**
 * The behaviour every JobRepository must have, against a real database: all operations share one
 * database, and every `openRepository()` is a separate connection (pool), as separate workers are.
 */
export function describeJobRepositoryContract(driver: 'postgres' | 'sqlite', createDatabase: () => Promise<TestDatabase>): void {
  describe(`JobRepository contract (${driver})`, () => {
    const bed = useJobRepositoryBed(driver, createDatabase);
    for (const operation of JOB_REPOSITORY_OPERATIONS) operation(bed);
  });
}
