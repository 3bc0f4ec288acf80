import { loadConfig } from '../../src/platform/config.js';
import { createProcessLogger } from '../../src/platform/logger.js';
import { runProcess } from '../../src/platform/process-lifecycle.js';
import { startWorker } from '../../src/platform/start-worker.js';
import { createFetcher } from '../../src/platform/fetcher.js';
import { createHandlers } from '../../src/platform/handlers.js';
import { prepareStorage } from '../../src/platform/storage.js';

/** A worker process: claims and runs jobs until SIGTERM/SIGINT, then drains. Run as many as you like. */
await runProcess('worker', async () => {
  const config = loadConfig(process.env);
  const logger = await createProcessLogger(config.logLevel, config.logFormat);
  const storage = await prepareStorage(config, logger, 'worker');
  const fetcher = createFetcher(config, logger);
  const handlers = createHandlers({ fetcher, store: storage.ingestion });
  const worker = await startWorker(config, storage.jobs, logger, handlers);
  return {
    logger,
    shutdown: async () => {
      await worker.stop(config.worker.shutdownTimeoutMs);
      await fetcher.close();
      await storage.jobs.close();
    },
  };
});
