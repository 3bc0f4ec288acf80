import { createPostgresDatabase } from '../support/test-databases.js';
import { describeStorageContracts } from './storage-contracts.js';

describeStorageContracts('postgres', createPostgresDatabase);
