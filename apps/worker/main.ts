import { loadConfig } from '../../src/platform/config.js';
import { createLogger, redactDsn } from '../../src/platform/logger.js';
import { runProcess } from '../../src/platform/process-lifecycle.js';
import { startWorker } from '../../src/platform/start-worker.js';
import { migrateDatabase, openJobRepository } from '../../src/platform/storage.js';

/** A worker process: claims and runs jobs until SIGTERM/SIGINT, then drains. Run as many as you like. */
await runProcess('worker', async () => {
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel);
  const db = config.database;
  logger.info({ driver: db.driver, database: db.driver === 'postgres' ? redactDsn(db.dsn) : db.path }, 'starting worker');
  if (db.runMigrations) logger.info(await migrateDatabase(db), 'migrations applied');
  const repository = openJobRepository(db, {
    applicationName: 'ingestion-adapter:worker',
    onBackgroundError: (error) => logger.warn({ err: error }, 'database connection error'),
  });
  const worker = await startWorker(config, repository, logger);
  return {
    logger,
    shutdown: async () => {
      await worker.stop(config.worker.shutdownTimeoutMs);
      await repository.close();
    },
  };
});
