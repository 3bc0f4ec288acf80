import { loadConfig } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { runProcess } from '../../src/platform/process-lifecycle.js';
import { startWorker } from '../../src/platform/start-worker.js';
import { prepareStorage } from '../../src/platform/storage.js';

/** A worker process: claims and runs jobs until SIGTERM/SIGINT, then drains. Run as many as you like. */
await runProcess('worker', async () => {
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel);
  const repository = await prepareStorage(config, logger, 'worker');
  const worker = await startWorker(config, repository, logger);
  return {
    logger,
    shutdown: async () => {
      await worker.stop(config.worker.shutdownTimeoutMs);
      await repository.close();
    },
  };
});
