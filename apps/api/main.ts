import { loadConfig } from '../../src/platform/config.js';
import { createLogger, redactDsn } from '../../src/platform/logger.js';
import { runProcess } from '../../src/platform/process-lifecycle.js';
import { startApi } from '../../src/platform/start-api.js';
import { migrateDatabase, openJobRepository } from '../../src/platform/storage.js';

/** The control-plane API process. Requires INTERNAL_AUTH_TOKEN unless ALLOW_INSECURE_INTERNAL_AUTH=true. */
await runProcess('api', async () => {
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel);
  const db = config.database;
  logger.info({ driver: db.driver, database: db.driver === 'postgres' ? redactDsn(db.dsn) : db.path }, 'starting API');
  if (db.runMigrations) logger.info(await migrateDatabase(db), 'migrations applied');
  const repository = openJobRepository(db, {
    applicationName: 'ingestion-adapter:api',
    onBackgroundError: (error) => logger.warn({ err: error }, 'database connection error'),
  });
  const api = await startApi(config, repository, logger);
  return {
    logger,
    shutdown: async () => {
      await api.stop();
      await repository.close();
    },
  };
});
