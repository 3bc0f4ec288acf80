import { checkApiExposure } from '../../src/platform/api-exposure.js';
import type { AppConfig } from '../../src/platform/config.js';
import { createProcessLogger } from '../../src/platform/logger.js';
import type { StartedProcess } from '../../src/platform/process-lifecycle.js';
import { startApi } from '../../src/platform/start-api.js';
import { createFetcher } from '../../src/platform/fetcher.js';
import { createHandlers, registeredPipelineNames, registeredPipelines } from '../../src/platform/handlers.js';
import { createProcessMetrics } from '../../src/platform/metrics.js';
import { prepareStorage } from '../../src/platform/storage.js';

/** The control-plane API, started (main.ts runs it once tracing is in place). */
export async function startApiProcess(config: AppConfig): Promise<StartedProcess> {
  await checkApiExposure(config); // refuse to start without a token, or open beyond loopback, before touching anything
  const logger = await createProcessLogger(config.logLevel, config.logFormat);
  const storage = await prepareStorage(config, logger, 'api');
  const metrics = createProcessMetrics(config, storage.jobs, registeredPipelineNames(), logger);
  const fetcher = createFetcher(config, logger, metrics);
  const handlers = createHandlers({ fetcher, store: storage.ingestion }, registeredPipelines(config.providers));
  const api = await startApi(config, storage, logger, handlers, metrics);
  return {
    logger,
    shutdown: async () => {
      await api.stop();
      await fetcher.close();
      await storage.jobs.close();
    },
  };
}
