import { DEFAULT_SQLITE_PATH, loadConfig } from '../../src/platform/config.js';
import { runProcess } from '../../src/platform/process-lifecycle.js';
import { startTracing } from '../../src/platform/tracing.js';

/**
 * The local all-in-one process for development (`npm start`): the API and a worker in one process,
 * SQLite at ./storage/adapter.db, the snapshot drop folder under ./storage/static-dataset/, migrations applied at start, bound to 127.0.0.1, the API open
 * without a token, webhooks allowed to private and loopback targets, and readable log lines when stdout is a terminal. Any variable set in the
 * environment still wins. Not the production shape: there, run apps/api and apps/worker against
 * PostgreSQL.
 */
const LOCAL_DEFAULTS = {
  DATABASE_DRIVER: 'sqlite',
  DATABASE_DSN: DEFAULT_SQLITE_PATH,
  DATABASE_RUN_MIGRATIONS: 'true',
  HTTP_HOST: '127.0.0.1',
  ALLOW_INSECURE_INTERNAL_AUTH: 'true',
  // Webhooks to a receiver on this machine (127.0.0.1 and other private targets): fine on loopback.
  WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  // Static snapshot drops: ./storage/static-dataset/{incoming,processing,archive,failed}.
  STATIC_DATASET_INCOMING_DIR: './storage/static-dataset/incoming',
  // Readable lines for a person at a terminal; JSON when piped (to a file, jq or a log shipper).
  LOG_FORMAT: process.stdout.isTTY ? 'pretty' : 'json',
};

await runProcess('server', async () => {
  const config = loadConfig(process.env, LOCAL_DEFAULTS);
  // First, and the rest imported after it: Fastify, pg and undici are instrumented as they load.
  const tracing = await startTracing(config.tracing, 'server');
  const { startServerProcess } = await import('./server-process.js');
  return { ...(await startServerProcess(config, tracing)), tracing };
});
