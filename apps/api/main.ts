import { loadConfig } from '../../src/platform/config.js';
import { runProcess } from '../../src/platform/process-lifecycle.js';
import { startTracing } from '../../src/platform/tracing.js';

/** The control-plane API process. Requires INTERNAL_AUTH_TOKEN unless ALLOW_INSECURE_INTERNAL_AUTH=true. */
await runProcess('api', async () => {
  const config = loadConfig(process.env);
  // First, and the rest imported after it: Fastify, pg and undici are instrumented as they load.
  const tracing = await startTracing(config.tracing, 'api');
  const { startApiProcess } = await import('./api-process.js');
  return { ...(await startApiProcess(config)), tracing };
});
