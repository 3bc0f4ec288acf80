import { checkApiExposure } from '../../src/platform/api-exposure.js';
import { loadConfig } from '../../src/platform/config.js';
import { createProcessLogger } from '../../src/platform/logger.js';
import { runProcess } from '../../src/platform/process-lifecycle.js';
import { startApi } from '../../src/platform/start-api.js';
import { createFetcher } from '../../src/platform/fetcher.js';
import { createHandlers, registeredPipelineNames } from '../../src/platform/handlers.js';
import { createProcessMetrics } from '../../src/platform/metrics.js';
import { prepareStorage } from '../../src/platform/storage.js';

/** The control-plane API process. Requires INTERNAL_AUTH_TOKEN unless ALLOW_INSECURE_INTERNAL_AUTH=true. */
await runProcess('api', async () => {
  const config = loadConfig(process.env);
  await checkApiExposure(config); // refuse to start without a token, or open beyond loopback, before touching anything
  const logger = await createProcessLogger(config.logLevel, config.logFormat);
  const storage = await prepareStorage(config, logger, 'api');
  const metrics = createProcessMetrics(config, storage.jobs, registeredPipelineNames(), logger);
  const fetcher = createFetcher(config, logger, metrics);
  const handlers = createHandlers({ fetcher, store: storage.ingestion });
  const api = await startApi(config, storage, logger, handlers, metrics);
  return {
    logger,
    shutdown: async () => {
      await api.stop();
      await fetcher.close();
      await storage.jobs.close();
    },
  };
});
