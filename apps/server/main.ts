import { DEFAULT_SQLITE_PATH, loadConfig } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { runProcess } from '../../src/platform/process-lifecycle.js';
import { startApi } from '../../src/platform/start-api.js';
import { startWorker } from '../../src/platform/start-worker.js';
import { createFetcher } from '../../src/platform/fetcher.js';
import { createHandlers } from '../../src/platform/handlers.js';
import { prepareStorage } from '../../src/platform/storage.js';

/**
 * The local all-in-one process for development (`npm start`): the API and a worker in one process,
 * SQLite at ./storage/adapter.db, migrations applied at start, bound to 127.0.0.1, and the API open
 * without a token. Any variable set in the environment still wins. Not the production shape: there,
 * run apps/api and apps/worker against PostgreSQL.
 */
const LOCAL_DEFAULTS = {
  DATABASE_DRIVER: 'sqlite',
  DATABASE_DSN: DEFAULT_SQLITE_PATH,
  DATABASE_RUN_MIGRATIONS: 'true',
  HTTP_HOST: '127.0.0.1',
  ALLOW_INSECURE_INTERNAL_AUTH: 'true',
};

await runProcess('server', async () => {
  const config = loadConfig(process.env, LOCAL_DEFAULTS);
  const logger = createLogger(config.logLevel);
  const storage = await prepareStorage(config, logger, 'server');
  const fetcher = createFetcher(config);
  const handlers = createHandlers({ fetcher, store: storage.ingestion });
  const worker = await startWorker(config, storage.jobs, logger, handlers);
  const api = await startApi(config, storage, logger, handlers);
  logger.info(
    { api: api.url },
    'local server running (development only: API and worker in one process, no token required)',
  );
  return {
    logger,
    shutdown: async () => {
      await api.stop();
      await worker.stop(config.worker.shutdownTimeoutMs);
      await fetcher.close();
      await storage.jobs.close();
    },
  };
});
