import { describe, it } from 'vitest';
import { nodeSqliteAvailable, resolveSqliteDriver } from '../../src/adapters/storage/sqlite/sqlite-driver.js';
import { createSqliteDatabase, useSqliteDriver } from '../support/test-databases.js';
import { describeIngestionContract } from './ingestion-contract.js';
import { describeJobRepositoryContract } from './job-repository-contract.js';
import { describeMigrationContract } from './migration-contract.js';
import { describeSmoothcompContract } from './smoothcomp-contract.js';
import { describeWorkerContract } from './worker-contract.js';

/**
 * sqlite.test.ts runs the contracts on the driver this Node.js picks by default. Where that is
 * better-sqlite3 but node:sqlite exists too (Node.js 22), they run here once more on node:sqlite,
 * the driver Node.js 24 picks, so both drivers are held to the same contract.
 */
if (nodeSqliteAvailable() && resolveSqliteDriver('auto') !== 'node:sqlite') {
  useSqliteDriver('node:sqlite');
  describeMigrationContract('sqlite', createSqliteDatabase);
  describeJobRepositoryContract('sqlite', createSqliteDatabase);
  describeWorkerContract('sqlite', createSqliteDatabase);
  describeIngestionContract('sqlite', createSqliteDatabase);
  describeSmoothcompContract('sqlite', createSqliteDatabase);
  (await import('./pipeline-limits-contract.js')).describePipelineLimitsContract('sqlite', createSqliteDatabase);
} else {
  describe('SQLite contracts on node:sqlite', () => {
    it.skip(`covered by sqlite.test.ts or unavailable: Node.js ${process.versions.node} picks ${resolveSqliteDriver('auto')}`, () => undefined);
  });
}
