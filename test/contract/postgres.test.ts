import { describeSmoothcompContract } from './smoothcomp-contract.js';
import { describeIngestionContract } from './ingestion-contract.js';
import { describeWorkerContract } from './worker-contract.js';
import { createPostgresDatabase } from '../support/test-databases.js';
import { describeJobRepositoryContract } from './job-repository-contract.js';
import { describeMigrationContract } from './migration-contract.js';

describeMigrationContract('postgres', createPostgresDatabase);
describeJobRepositoryContract('postgres', createPostgresDatabase);
describeWorkerContract('postgres', createPostgresDatabase);
describeIngestionContract('postgres', createPostgresDatabase);
describeSmoothcompContract('postgres', createPostgresDatabase);
(await import('./pipeline-limits-contract.js')).describePipelineLimitsContract('postgres', createPostgresDatabase);
