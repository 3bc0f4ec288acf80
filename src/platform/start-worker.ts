import type { Logger } from 'pino';
import type { IngestMetrics } from '../core/ingest-metrics.js';
import type { JobRepository } from '../core/job-repository.js';
import type { DatabaseLoss } from '../application/database-availability.js';
import { HandlerRegistry } from '../application/handler-registry.js';
import type { JobHandler } from '../application/job-handler.js';
import { Worker } from '../application/worker.js';
import type { AppConfig } from './config.js';
import { defaultWorkerId } from './worker-id.js';

export interface StartWorkerOptions {
  /**
   * Called once if the worker gives up on its database (an error that will not heal, or
   * WORKER_DATABASE_UNAVAILABLE_EXIT_SEC of failures). Without it the worker retries forever.
   */
  onDatabaseLost?: (loss: DatabaseLoss) => void;
  /** Where attempt outcomes, lease rescues and fenced settles are counted. */
  metrics?: IngestMetrics;
}

export async function startWorker(
  config: AppConfig,
  repository: JobRepository,
  logger: Logger,
  handlers: JobHandler[],
  options: StartWorkerOptions = {},
): Promise<Worker> {
  const worker = new Worker({
    repository,
    handlers: new HandlerRegistry(handlers),
    workerId: config.worker.id ?? defaultWorkerId(),
    concurrency: config.worker.concurrency,
    claimBatchSize: config.worker.claimBatchSize,
    leaseMs: config.worker.leaseMs,
    heartbeatIntervalMs: config.worker.heartbeatIntervalMs,
    pollIntervalMs: config.worker.pollIntervalMs,
    retryPolicy: { baseDelayMs: config.worker.baseRetryDelayMs, maxDelayMs: config.worker.maxRetryDelayMs },
    maxInterruptions: config.worker.maxInterruptions,
    defaultJobTimeoutMs: config.worker.defaultJobTimeoutMs,
    logger,
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
    ...(options.onDatabaseLost === undefined
      ? {}
      : { databaseGiveUpAfterMs: config.worker.databaseUnavailableExitMs, onDatabaseLost: options.onDatabaseLost }),
  });
  await worker.start();
  return worker;
}
