import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createCronerEngine } from '../adapters/schedule/croner-engine.js';
import { createHttpApp } from '../adapters/transport/http/create-http-app.js';
import { EnqueueJob } from '../application/enqueue-job.js';
import { HandlerRegistry } from '../application/handler-registry.js';
import type { JobHandler } from '../application/job-handler.js';
import { ScheduleService } from '../application/scheduler/schedule-service.js';
import type { Storage } from '../adapters/storage/shared/storage.js';
import { checkApiExposure } from './api-exposure.js';
import { apiAuthToken, type AppConfig } from './config.js';
import type { PrometheusMetrics } from '../adapters/metrics/prometheus-metrics.js';
import { createProcessMetrics } from './metrics.js';
import { databaseReadiness } from './readiness.js';
import { snapshotDropApi } from './start-drop-folder.js';
import { randomBytes } from 'node:crypto';
import { WebhookEndpointService } from '../application/delivery/webhook-endpoint-service.js';
import { WEBHOOK_MAX_TRIES } from '../core/webhooks/retry-schedule.js';
import { createWebhookSender } from './webhooks.js';

export interface RunningApi {
  app: FastifyInstance;
  /** The address it listens on, e.g. http://127.0.0.1:8080. */
  url: string;
  /** Readiness turns 503, in-flight requests finish, then the server closes. */
  stop(): Promise<void>;
}

const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export async function buildApi(
  config: AppConfig,
  storage: Storage,
  logger: Logger,
  handlers: JobHandler[],
  /** The process's registry; one of its own when the API runs alone. */
  metrics: PrometheusMetrics = createProcessMetrics(config, storage.jobs, handlers.map((h) => h.pipeline), logger),
): Promise<{ app: FastifyInstance; setDraining: () => void }> {
  const repository = storage.jobs;
  const authToken = apiAuthToken(config);
  if (authToken === undefined) {
    logger.warn({}, 'ALLOW_INSECURE_INTERNAL_AUTH=true: the API accepts requests without a token; never do this outside local development');
  }
  let draining = false;
  const registry = new HandlerRegistry(handlers);
  // Test sends only; deliveries go out from workers.
  const webhookSender = createWebhookSender(config);
  const app = await createHttpApp({
    handlers: registry,
    repository,
    ingestion: storage.ingestion,
    enqueueJob: new EnqueueJob(repository, registry, { maxAttempts: config.worker.maxAttempts }, metrics),
    readiness: databaseReadiness(config.database, logger),
    isDraining: () => draining,
    authToken,
    logger,
    bodyLimitBytes: config.http.bodyLimitBytes,
    batchBodyLimitBytes: config.http.batchBodyLimitBytes,
    requestTimeoutMs: config.http.requestTimeoutMs,
    version: packageVersion,
    metrics,
    schedules: {
      repository: storage.schedules,
      service: new ScheduleService(storage.schedules, registry, createCronerEngine()),
      defaultMaxAttempts: config.worker.maxAttempts,
    },
    snapshotDrops: snapshotDropApi(config, storage, handlers, logger),
    webhooks: {
      repository: storage.webhooks,
      service: new WebhookEndpointService(storage.webhooks, {
        pipelines: () => registry.pipelines(),
        previousSecretValidMs: config.webhooks.previousSecretValidMs,
        randomBytes: (size) => randomBytes(size),
        sender: webhookSender,
      }),
      maxTries: WEBHOOK_MAX_TRIES,
    },
    changes: storage.changes,
    changeStreams: config.changes,
  });
  app.addHook('onClose', () => webhookSender.close());
  return { app, setDraining: () => (draining = true) };
}

/** The address the server is bound to, as a URL: what a log line should say, not what was asked for. */
function boundUrl(app: FastifyInstance): string {
  const address = app.server.address() as AddressInfo;
  return `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
}

export async function startApi(
  config: AppConfig,
  storage: Storage,
  logger: Logger,
  handlers: JobHandler[],
  metrics?: PrometheusMetrics,
): Promise<RunningApi> {
  await checkApiExposure(config);
  const { app, setDraining } = await buildApi(config, storage, logger, handlers, metrics);
  await app.listen({ host: config.http.host, port: config.http.port });
  const url = boundUrl(app);
  logger.info({ url, docs: `${url}/internal/v1/docs` }, 'API listening');
  return {
    app,
    url,
    stop: async () => {
      setDraining();
      await app.close();
    },
  };
}
