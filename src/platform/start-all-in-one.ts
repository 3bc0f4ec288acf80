import type { Logger } from 'pino';
import type { JobHandler } from '../application/job-handler.js';
import { checkApiExposure } from './api-exposure.js';
import type { AppConfig } from './config.js';
import { createFetcher } from './fetcher.js';
import { createHandlers, registeredPipelineNames } from './handlers.js';
import { createProcessMetrics } from './metrics.js';
import { startApi } from './start-api.js';
import { startOutboxPruner } from './start-outbox-pruner.js';
import { startScheduler } from './start-scheduler.js';
import { startWorker } from './start-worker.js';
import { prepareStorage } from './storage.js';

export interface AllInOneOptions {
  /** Wraps the worker's handlers, e.g. each run in a trace span (tracing.ts). */
  traceJobs?: (handlers: JobHandler[]) => JobHandler[];
}

/** The API and a worker in one process, on one storage handle: the local server and the demo. */
export async function startAllInOne(config: AppConfig, logger: Logger, options: AllInOneOptions = {}): Promise<{ apiUrl: string; stop: () => Promise<void> }> {
  await checkApiExposure(config); // before migrations or a worker: refuse an open API on a public address
  const storage = await prepareStorage(config, logger, 'server');
  // One registry: the API's GET /metrics shows the worker's counters too.
  const metrics = createProcessMetrics(config, storage.jobs, registeredPipelineNames(), logger);
  const fetcher = createFetcher(config, logger, metrics);
  const handlers = createHandlers({ fetcher, store: storage.ingestion, metrics });
  const scheduler = await startScheduler(config, storage, handlers, logger);
  const worker = await startWorker(config, storage.jobs, logger, options.traceJobs?.(handlers) ?? handlers, { metrics });
  const outboxPruner = startOutboxPruner(config, storage, logger);
  const api = await startApi(config, storage, logger, handlers, metrics);
  return {
    apiUrl: api.url,
    stop: async () => {
      await api.stop();
      await scheduler.stop();
      await outboxPruner.stop();
      await worker.stop(config.worker.shutdownTimeoutMs);
      await fetcher.close();
      await storage.jobs.close();
    },
  };
}
