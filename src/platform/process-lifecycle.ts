import type { Logger } from 'pino';
import { DatabaseUnavailableError } from '../core/database-unavailable.js';
import { ConfigError } from './config.js';
import { redactDsnsIn } from './logger.js';
import { DATABASE_UNAVAILABLE_EXIT_CODE } from './database-failure.js';
import type { Tracing } from './tracing.js';

/** A running process found it cannot go on: it says why in one line and exits with `exitCode`. */
export interface FatalCondition {
  exitCode: number;
  message: string;
}

export interface StartedProcess {
  logger: Logger;
  shutdown: () => Promise<void>;
  /** Resolves if the process must end on its own (e.g. a worker that lost its database). */
  fatal?: Promise<FatalCondition>;
  /** Announced once started; its pending spans are exported after the shutdown, before the exit. */
  tracing?: Tracing;
}

/** How long a process that must end waits for its shutdown before exiting anyway. */
const FATAL_SHUTDOWN_MS = 5_000;

/**
 * Runs `main`, then waits for SIGTERM or SIGINT and runs the returned shutdown once. A second
 * signal during shutdown exits at once. A signal that arrives while `main` is still starting is
 * held until it has started, then shuts it down the same way (a second one exits at once): an
 * orchestrator stopping a process that is still starting gets a clean shutdown, not the signal's
 * default of dying mid-start. Configuration errors print every problem and exit 78
 * (EX_CONFIG); a database that cannot be used at start prints one line and exits 69
 * (EX_UNAVAILABLE); any other start-up error exits 1. A `fatal` condition prints one line, runs
 * the shutdown for at most a few seconds and exits with its code. Either way, when the process
 * traces, the spans still pending are exported after the shutdown (for at most a few seconds).
 */
export async function runProcess(name: string, main: () => Promise<StartedProcess>): Promise<void> {
  let heldSignal: NodeJS.Signals | undefined;
  let onSignal = (signal: NodeJS.Signals): void => {
    if (heldSignal !== undefined) {
      process.stderr.write(`${name}: second signal while starting: exiting now\n`);
      process.exit(130);
    }
    heldSignal = signal;
  };
  const listener = (signal: NodeJS.Signals) => onSignal(signal);
  process.on('SIGTERM', listener);
  process.on('SIGINT', listener);
  let started: StartedProcess;
  try {
    started = await main();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${name}: ${error.message}\n`);
      process.exit(78);
    }
    if (error instanceof DatabaseUnavailableError) {
      process.stderr.write(`${name}: cannot start: ${redactDsnsIn(error.message)}\n`);
      process.exit(DATABASE_UNAVAILABLE_EXIT_CODE);
    }
    const reason = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`${name}: failed to start: ${redactDsnsIn(reason)}\n`);
    process.exit(1);
  }
  const { logger, tracing } = started;
  tracing?.announce(logger);
  const shutdown = async () => {
    try {
      await started.shutdown();
    } finally {
      await tracing?.stop();
    }
  };
  let shuttingDown = false;
  onSignal = (signal: NodeJS.Signals) => {
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
  if (heldSignal !== undefined) onSignal(heldSignal);

  void started.fatal?.then(({ exitCode, message }) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.fatal({ exit_code: exitCode }, message);
    logger.flush();
    process.stderr.write(`${name}: ${message}\n`);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, FATAL_SHUTDOWN_MS);
    });
    void Promise.race([shutdown().catch(() => undefined), deadline]).finally(() => {
      clearTimeout(timer);
      logger.flush();
      process.exit(exitCode);
    });
  });
}
