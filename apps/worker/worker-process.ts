import type { DatabaseLoss } from '../../src/application/database-availability.js';
import { assessWorkerHealth } from '../../src/application/worker-health.js';
import type { AppConfig } from '../../src/platform/config.js';
import { DATABASE_UNAVAILABLE_EXIT_CODE, databaseLossLine } from '../../src/platform/database-failure.js';
import { createProcessLogger } from '../../src/platform/logger.js';
import type { FatalCondition, StartedProcess } from '../../src/platform/process-lifecycle.js';
import { startDropFolder } from '../../src/platform/start-drop-folder.js';
import { startOutboxPruner } from '../../src/platform/start-outbox-pruner.js';
import { startScheduler } from '../../src/platform/start-scheduler.js';
import { startWorker } from '../../src/platform/start-worker.js';
import { createFetcher, withDropFolder } from '../../src/platform/fetcher.js';
import { createWorkerHandlers, registeredPipelineNames, registeredPipelines } from '../../src/platform/handlers.js';
import { createProcessMetrics } from '../../src/platform/metrics.js';
import { prepareStorage } from '../../src/platform/storage.js';
import { createWebhookHandler, createWebhookSender, startWebhookDispatcher } from '../../src/platform/webhooks.js';
import type { Tracing } from '../../src/platform/tracing.js';
import { startWorkerHealthServer, type WorkerHealthServer } from '../../src/platform/worker-health-server.js';

/**
 * A worker, started (main.ts runs it once tracing is in place): its scheduler fires due schedules
 * and it claims and runs jobs; each job run is a span when tracing is on.
 */
export async function startWorkerProcess(config: AppConfig, tracing: Tracing): Promise<StartedProcess> {
  const logger = await createProcessLogger(config.logLevel, config.logFormat);
  const storage = await prepareStorage(config, logger, 'worker');
  const metrics = createProcessMetrics(config, storage.jobs, registeredPipelineNames(), logger);
  const fetcher = withDropFolder(createFetcher(config, logger, metrics), config);
  const sender = createWebhookSender(config);
  const webhookHandler = createWebhookHandler(config, storage.webhooks, sender, metrics);
  const handlers = tracing.traceJobs(createWorkerHandlers({ fetcher, store: storage.ingestion, metrics }, webhookHandler, registeredPipelines(config.providers)));
  // Schedules may name what the API offers, as in the other processes: not the webhook deliveries.
  const scheduledHandlers = handlers.filter((handler) => handler.pipeline !== webhookHandler.pipeline);
  let reportLoss: (loss: DatabaseLoss) => void = () => undefined;
  const fatal = new Promise<FatalCondition>((resolve) => {
    reportLoss = (loss) => resolve({ exitCode: DATABASE_UNAVAILABLE_EXIT_CODE, message: databaseLossLine(loss, config) });
  });
  // First: a bad SCHEDULES_FILE stops the start before any job is claimed.
  const scheduler = await startScheduler(config, storage, scheduledHandlers, logger);
  const worker = await startWorker(config, storage.jobs, logger, handlers, { onDatabaseLost: (loss) => reportLoss(loss), metrics });
  const dropFolder = startDropFolder(config, storage, handlers, logger);
  const outboxPruner = startOutboxPruner(config, storage, logger);
  const dispatcher = startWebhookDispatcher(config, storage.webhooks, storage.changes, logger);
  let health: WorkerHealthServer | undefined;
  if (config.worker.http.port !== undefined) {
    health = await startWorkerHealthServer({
      host: config.worker.http.host,
      port: config.worker.http.port,
      assess: () => assessWorkerHealth(worker.health(), config.worker.pollIntervalMs),
      metrics,
      logger,
    });
  }
  return {
    logger,
    fatal,
    shutdown: async () => {
      await dispatcher.stop();
      await scheduler.stop();
      await dropFolder.stop();
      await outboxPruner.stop();
      await worker.stop(config.worker.shutdownTimeoutMs);
      await health?.close();
      await fetcher.close();
      await sender.close();
      await storage.jobs.close();
    },
  };
}
