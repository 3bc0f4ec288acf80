import pino from 'pino';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { HandlerRegistry } from '../../src/application/handler-registry.js';
import type { JobHandler } from '../../src/application/job-handler.js';
import { Worker, type WorkerOptions } from '../../src/application/worker.js';
import type { JobRepository } from '../../src/core/job-repository.js';
import { FINAL_JOB_STATES, type JobDetails, type JobState } from '../../src/core/job.js';
import { migrateDatabase, openJobRepository } from '../../src/platform/storage.js';
import { databaseConfig, type DatabaseConfig, type TestDatabase } from './test-databases.js';
import { waitFor } from './wait-for.js';

export interface WorkerTestBedOptions {
  /** Names the bed's workers (`<name>-1`, …) and pipelines (`<name>.p1.<ms>`, …). */
  name: string;
  /** What every worker the bed starts is given unless a test says otherwise. */
  workerDefaults?: Partial<Omit<WorkerOptions, 'handlers' | 'repository'>>;
}

/** Real workers on a real database: what the worker suites of the storage contract run on. */
export interface WorkerTestBed {
  /** The suite's database; there from the first test on. */
  readonly database: TestDatabase;
  readonly config: DatabaseConfig;
  /** A repository of the suite's own, not any worker's. */
  readonly repo: JobRepository;
  /** Opens a repository (on the suite's database unless `config` says otherwise), closed after the suite. */
  readonly openRepository: (config?: DatabaseConfig, options?: Parameters<typeof openJobRepository>[1]) => JobRepository;
  /** A pipeline name no other test uses, so a test's jobs are its own. */
  readonly pipelineName: () => string;
  /** Starts a worker on a repository of its own (unless `options.repository` is given); stopped after the test. */
  readonly startWorker: (handlers: JobHandler[], options?: Partial<WorkerOptions>) => Promise<Worker>;
  /** Stops every worker started so far, giving each a second to drain. */
  readonly stopWorkers: () => Promise<void>;
  /** Waits for the job to reach one of `states` (by default any final state) and returns it. */
  readonly finished: (jobId: string, wait?: { states?: readonly JobState[]; timeoutMs?: number }) => Promise<JobDetails>;
}

/**
 * Creates and migrates a database before the suite, stops the workers after each test (a worker claims
 * every pipeline, so none may outlive its test) and closes everything after the suite; call inside `describe`.
 */
export function useWorkerTestBed(driver: 'postgres' | 'sqlite', createDatabase: () => Promise<TestDatabase>, options: WorkerTestBedOptions): WorkerTestBed {
  let database: TestDatabase | undefined;
  let config: DatabaseConfig | undefined;
  let repo: JobRepository | undefined;
  const opened: JobRepository[] = [];
  const workers: Worker[] = [];
  let seq = 0;

  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the test database is created in beforeAll');
    return value;
  };
  const openRepository: WorkerTestBed['openRepository'] = (on = ready(config), repositoryOptions = {}) => {
    const repository = openJobRepository(on, repositoryOptions);
    opened.push(repository);
    return repository;
  };
  const stopWorkers = async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop(1_000)));
  };

  beforeAll(async () => {
    database = await createDatabase();
    config = databaseConfig(driver, database.dsn);
    await migrateDatabase(config);
    repo = openRepository();
  });

  afterEach(stopWorkers);

  afterAll(async () => {
    await Promise.all(opened.map((r) => r.close()));
    await database?.drop();
  });

  return {
    get database() {
      return ready(database);
    },
    get config() {
      return ready(config);
    },
    get repo() {
      return ready(repo);
    },
    openRepository,
    pipelineName: () => `${options.name}.p${++seq}.${Date.now()}`,
    startWorker: async (handlers, workerOptions = {}) => {
      const worker = new Worker({
        repository: workerOptions.repository ?? openRepository(),
        handlers: new HandlerRegistry(handlers),
        workerId: `${options.name}-${workers.length + 1}`,
        concurrency: 4,
        leaseMs: 5_000,
        heartbeatIntervalMs: 1_000,
        pollIntervalMs: 200,
        retryPolicy: { baseDelayMs: 50, maxDelayMs: 1_000 },
        logger: pino({ level: 'silent' }),
        ...options.workerDefaults,
        ...workerOptions,
      });
      workers.push(worker);
      await worker.start();
      return worker;
    },
    stopWorkers,
    finished: (jobId, { states = FINAL_JOB_STATES, timeoutMs } = {}) =>
      waitFor(
        `job ${jobId} to reach ${states.join('/')}`,
        async () => {
          const details = await ready(repo).getJob(jobId);
          return details !== null && states.includes(details.job.state) ? details : undefined;
        },
        timeoutMs,
      ),
  };
}
