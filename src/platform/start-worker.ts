import type { Logger } from 'pino';
import type { JobRepository } from '../core/job-repository.js';
import { HandlerRegistry } from '../application/handler-registry.js';
import type { JobHandler } from '../application/job-handler.js';
import { Worker } from '../application/worker.js';
import type { AppConfig } from './config.js';
import { defaultWorkerId } from './worker-id.js';

export async function startWorker(
  config: AppConfig,
  repository: JobRepository,
  logger: Logger,
  handlers: JobHandler[],
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
  });
  await worker.start();
  return worker;
}
