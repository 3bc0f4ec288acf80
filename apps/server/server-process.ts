import type { AppConfig } from '../../src/platform/config.js';
import { createProcessLogger } from '../../src/platform/logger.js';
import type { StartedProcess } from '../../src/platform/process-lifecycle.js';
import { startAllInOne } from '../../src/platform/start-all-in-one.js';
import type { Tracing } from '../../src/platform/tracing.js';

/** The local all-in-one server, started (main.ts runs it once tracing is in place). */
export async function startServerProcess(config: AppConfig, tracing: Tracing): Promise<StartedProcess> {
  const logger = await createProcessLogger(config.logLevel, config.logFormat);
  const service = await startAllInOne(config, logger, { traceJobs: (handlers) => tracing.traceJobs(handlers) });
  logger.info({ api: service.apiUrl }, 'local server running (development only: API and worker in one process, no token required)');
  return { logger, shutdown: service.stop };
}
