import type { Logger } from 'pino';
import { ConfigError } from './config.js';
import { redactDsnsIn } from './logger.js';

/**
 * Runs `main`, then waits for SIGTERM or SIGINT and runs the returned shutdown once. A second
 * signal during shutdown exits at once. Configuration errors print every problem and exit 78
 * (EX_CONFIG); any other start-up error exits 1.
 */
export async function runProcess(
  name: string,
  main: () => Promise<{ logger: Logger; shutdown: () => Promise<void> }>,
): Promise<void> {
  let started: { logger: Logger; shutdown: () => Promise<void> };
  try {
    started = await main();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${name}: ${error.message}\n`);
      process.exit(78);
    }
    const reason = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`${name}: failed to start: ${redactDsnsIn(reason)}\n`);
    process.exit(1);
  }
  const { logger, shutdown } = started;
  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    shutdown().then(
      () => {
        logger.info({}, 'shut down cleanly');
        logger.flush();
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        logger.flush();
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
