import { ConfigError, loadConfig } from '../../src/platform/config.js';
import { redactDsnsIn } from '../../src/platform/logger.js';
import { migrateDatabase } from '../../src/platform/storage.js';

/** `npm run migrate`: applies pending migrations to DATABASE_DRIVER / DATABASE_DSN and exits. */
try {
  const config = loadConfig(process.env);
  const { applied } = await migrateDatabase(config.database);
  const where = config.database.driver === 'sqlite' ? config.database.path : 'postgres';
  process.stdout.write(
    applied.length === 0 ? `migrate: ${where} is up to date\n` : `migrate: applied ${applied.join(', ')} to ${where}\n`,
  );
} catch (error) {
  process.stderr.write(`migrate: ${redactDsnsIn(error instanceof Error ? error.message : String(error))}\n`);
  process.exit(error instanceof ConfigError ? 78 : 1);
}
