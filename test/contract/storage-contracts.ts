import type { TestDatabase } from '../support/test-databases.js';
import { describeFollowUpsContract } from './follow-ups-contract.js';
import { describeFollowUpsWorkerContract } from './follow-ups-worker-contract.js';
import { describeIngestionContract } from './ingestion-contract.js';
import { describeJobRepositoryContract } from './job-repository-contract.js';
import { describeMetricsContract } from './metrics-contract.js';
import { describeMigrationContract } from './migration-contract.js';
import { describeOutboxContract } from './outbox-contract.js';
import { describeScheduleRepositoryContract } from './schedule-repository-contract.js';
import { describeSchedulerContract } from './scheduler-contract.js';
import { describePipelineLimitsContract } from './pipeline-limits-contract.js';
import { describeSmoothcompContract } from './smoothcomp-contract.js';
import { describeWorkerContract } from './worker-contract.js';
import { describeWorkerFaultContract } from './worker-faults-contract.js';

export type StorageDialect = 'postgres' | 'sqlite';

/** A suite of tests every storage dialect must pass, run against fresh databases from `createDatabase`. */
export type StorageContract = (dialect: StorageDialect, createDatabase: () => Promise<TestDatabase>) => void;

/**
 * Every contract suite, in the order a dialect runs them. A new suite is added here and nowhere else:
 * each dialect's test file runs this list, and storage-contracts.test.ts fails while a
 * `*-contract.ts` module under test/contract is left out of it.
 *
 * The fault suite belongs here although it is the slowest (two of its tests wait out a 20 s lease):
 * run from a file of its own it only ever met the default SQLite driver, so node:sqlite on Node.js 22
 * (sqlite-node-driver.test.ts) went untested under database faults.
 */
export const STORAGE_CONTRACTS: readonly StorageContract[] = [
  describeMigrationContract,
  describeJobRepositoryContract,
  describeWorkerContract,
  describeWorkerFaultContract,
  describeIngestionContract,
  describeSmoothcompContract,
  describeMetricsContract,
  describeScheduleRepositoryContract,
  describeSchedulerContract,
  describePipelineLimitsContract,
  describeFollowUpsContract,
  describeFollowUpsWorkerContract,
  describeOutboxContract,
];

/** Runs every storage contract suite on `dialect`. */
export function describeStorageContracts(dialect: StorageDialect, createDatabase: () => Promise<TestDatabase>): void {
  for (const describeContract of STORAGE_CONTRACTS) describeContract(dialect, createDatabase);
}
