import { afterAll, beforeAll } from 'vitest';
import type { EnqueueJobInput, JobRepository } from '../../../src/core/job-repository.js';
import type { Job, JobFailure } from '../../../src/core/job.js';
import { migrateDatabase, openJobRepository } from '../../../src/platform/storage.js';
import { databaseConfig, type DatabaseConfig, type TestDatabase } from '../../support/test-databases.js';

export const NETWORK: JobFailure = { category: 'network', code: 'ECONNRESET', message: 'connection reset', retryable: true };
export const PARSE: JobFailure = { category: 'parse', code: 'MARKUP_DRIFT', message: 'no events table', retryable: false };
export const DATABASE: JobFailure = { category: 'database', code: 'DATABASE_UNAVAILABLE', message: 'the database went away', retryable: true };

/** What every test of the repository contract works with: one migrated database per dialect run. */
export interface JobRepositoryBed {
  readonly driver: 'postgres' | 'sqlite';
  /** The suite's database; there from the first test on. */
  readonly database: TestDatabase;
  /** The suite's own repository; there from the first test on. */
  readonly repo: JobRepository;
  /** Another repository on the same database: a separate connection (pool), as a separate worker has. */
  readonly openRepository: () => JobRepository;
  /** Each test works in its own pipeline name, so that its jobs are told apart from other tests'. */
  readonly freshPipeline: () => string;
  readonly job: (pipeline: string, extra?: Partial<EnqueueJobInput>) => EnqueueJobInput;
  /**
   * Claims one job. A claim takes any due job, whatever its pipeline: tests run in sequence and each
   * settles or cancels every job it enqueues, so the one claimed is the test's own.
   */
  readonly claimOne: (repository: JobRepository, workerId: string, leaseMs?: number) => Promise<Job>;
}

/** Creates and migrates the database before the suite's first test and drops it after the last; call inside `describe`. */
export function useJobRepositoryBed(driver: 'postgres' | 'sqlite', createDatabase: () => Promise<TestDatabase>): JobRepositoryBed {
  let database: TestDatabase | undefined;
  let config: DatabaseConfig | undefined;
  let repo: JobRepository | undefined;
  const opened: JobRepository[] = [];
  let pipelineSeq = 0;

  const openRepository = () => {
    if (config === undefined) throw new Error('the test database is created in beforeAll');
    const repository = openJobRepository(config);
    opened.push(repository);
    return repository;
  };

  beforeAll(async () => {
    database = await createDatabase();
    config = databaseConfig(driver, database.dsn);
    await migrateDatabase(config);
    repo = openRepository();
  });

  afterAll(async () => {
    await Promise.all(opened.map((r) => r.close()));
    await database?.drop();
  });

  return {
    driver,
    get database() {
      if (database === undefined) throw new Error('the test database is created in beforeAll');
      return database;
    },
    get repo() {
      if (repo === undefined) throw new Error('the repository is opened in beforeAll');
      return repo;
    },
    openRepository,
    freshPipeline: () => `contract.p${++pipelineSeq}.${Date.now()}`,
    job: (pipeline, extra = {}) => ({
      pipeline,
      scope: { country: 'US', event_type: 'upcoming' },
      maxAttempts: 3,
      ...extra,
    }),
    claimOne: async (repository, workerId, leaseMs = 30_000) => {
      const [claimed] = await repository.claimJobs({ workerId, limit: 1, leaseMs });
      if (claimed === undefined) throw new Error('nothing was claimed');
      return claimed;
    },
  };
}
