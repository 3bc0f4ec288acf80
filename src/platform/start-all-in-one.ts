import type { Logger } from 'pino';
import type { JobHandler } from '../application/job-handler.js';
import { checkApiExposure } from './api-exposure.js';
import type { AppConfig } from './config.js';
import { createFetcher, withDropFolder } from './fetcher.js';
import { createHandlers, createWorkerHandlers, registeredPipelineNames, registeredPipelines } from './handlers.js';
import { createProcessMetrics } from './metrics.js';
import { startApi } from './start-api.js';
import { startDropFolder } from './start-drop-folder.js';
import { startOutboxPruner } from './start-outbox-pruner.js';
import { startScheduler } from './start-scheduler.js';
import { startWorker } from './start-worker.js';
import { prepareStorage } from './storage.js';
import { createWebhookHandler, createWebhookSender, startWebhookDispatcher } from './webhooks.js';

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
  const fetcher = withDropFolder(createFetcher(config, logger, metrics), config);
  const handlers = createHandlers({ fetcher, store: storage.ingestion, metrics }, registeredPipelines(config.providers));
  const sender = createWebhookSender(config);
  const workerHandlers = createWorkerHandlers(
    { fetcher, store: storage.ingestion, metrics },
    createWebhookHandler(config, storage.webhooks, sender, metrics),
    registeredPipelines(config.providers),
  );
  const scheduler = await startScheduler(config, storage, handlers, logger);
  const worker = await startWorker(config, storage.jobs, logger, options.traceJobs?.(workerHandlers) ?? workerHandlers, { metrics });
  const dispatcher = startWebhookDispatcher(config, storage.webhooks, storage.changes, logger);
  const dropFolder = startDropFolder(config, storage, handlers, logger);
  const outboxPruner = startOutboxPruner(config, storage, logger);
  const api = await startApi(config, storage, logger, handlers, metrics);
  return {
    apiUrl: api.url,
    stop: async () => {
      await api.stop();
      await dispatcher.stop();
      await scheduler.stop();
      await dropFolder.stop();
      await outboxPruner.stop();
      await worker.stop(config.worker.shutdownTimeoutMs);
      await fetcher.close();
      await sender.close();
      await storage.jobs.close();
    },
  };
}
