import { createSqliteDatabase } from '../support/test-databases.js';
import { describeStorageContracts } from './storage-contracts.js';

describeStorageContracts('sqlite', createSqliteDatabase);
