import { createPostgresDatabase, createSqliteDatabase } from '../support/test-databases.js';
import { describeWorkerFaultContract } from './worker-faults-contract.js';

describeWorkerFaultContract('postgres', createPostgresDatabase);
describeWorkerFaultContract('sqlite', createSqliteDatabase);
