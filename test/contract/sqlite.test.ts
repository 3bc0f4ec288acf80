import { describeSmoothcompContract } from './smoothcomp-contract.js';
import { describeIngestionContract } from './ingestion-contract.js';
import { describeWorkerContract } from './worker-contract.js';
import { createSqliteDatabase } from '../support/test-databases.js';
import { describeJobRepositoryContract } from './job-repository-contract.js';
import { describeMigrationContract } from './migration-contract.js';

describeMigrationContract('sqlite', createSqliteDatabase);
describeJobRepositoryContract('sqlite', createSqliteDatabase);
describeWorkerContract('sqlite', createSqliteDatabase);
describeIngestionContract('sqlite', createSqliteDatabase);
describeSmoothcompContract('sqlite', createSqliteDatabase);
(await import('./pipeline-limits-contract.js')).describePipelineLimitsContract('sqlite', createSqliteDatabase);
