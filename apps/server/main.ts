import { DEFAULT_SQLITE_PATH, loadConfig } from '../../src/platform/config.js';
import { createProcessLogger } from '../../src/platform/logger.js';
import { runProcess } from '../../src/platform/process-lifecycle.js';
import { startAllInOne } from '../../src/platform/start-all-in-one.js';

/**
 * The local all-in-one process for development (`npm start`): the API and a worker in one process,
 * SQLite at ./storage/adapter.db, migrations applied at start, bound to 127.0.0.1, the API open
 * without a token, and readable log lines when stdout is a terminal. Any variable set in the
 * environment still wins. Not the production shape: there, run apps/api and apps/worker against
 * PostgreSQL.
 */
const LOCAL_DEFAULTS = {
  DATABASE_DRIVER: 'sqlite',
  DATABASE_DSN: DEFAULT_SQLITE_PATH,
  DATABASE_RUN_MIGRATIONS: 'true',
  HTTP_HOST: '127.0.0.1',
  ALLOW_INSECURE_INTERNAL_AUTH: 'true',
  // Readable lines for a person at a terminal; JSON when piped (to a file, jq or a log shipper).
  LOG_FORMAT: process.stdout.isTTY ? 'pretty' : 'json',
};

await runProcess('server', async () => {
  const config = loadConfig(process.env, LOCAL_DEFAULTS);
  const logger = await createProcessLogger(config.logLevel, config.logFormat);
  const service = await startAllInOne(config, logger);
  logger.info({ api: service.apiUrl }, 'local server running (development only: API and worker in one process, no token required)');
  return { logger, shutdown: service.stop };
});
