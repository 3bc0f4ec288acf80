import { loadConfig } from '../../src/platform/config.js';
import { runProcess } from '../../src/platform/process-lifecycle.js';
import { startTracing } from '../../src/platform/tracing.js';

/**
 * A worker process: fires due schedules and claims and runs jobs until SIGTERM/SIGINT, then drains.
 * Run as many as you like.
 * It exits 69 when its database will not come back (see WORKER_DATABASE_UNAVAILABLE_EXIT_SEC), and
 * serves /health/live, /health/ready and /metrics when WORKER_HTTP_PORT is set.
 */
await runProcess('worker', async () => {
  const config = loadConfig(process.env);
  // First, and the rest imported after it: pg and undici are instrumented as they load.
  const tracing = await startTracing(config.tracing, 'worker');
  const { startWorkerProcess } = await import('./worker-process.js');
  return { ...(await startWorkerProcess(config, tracing)), tracing };
});
