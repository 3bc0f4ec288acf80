import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { EnqueueJob } from '../../../application/enqueue-job.js';
import type { HandlerRegistry } from '../../../application/handler-registry.js';
import type { IngestionStore } from '../../../core/ingestion-store.js';
import type { ChangeFeed } from '../../../core/outbox.js';
import type { JobRepository } from '../../../core/job-repository.js';
import { bearerAuth } from './bearer-auth.js';
import { clientErrorHandler } from './client-error.js';
import { installErrorHandling } from './error-handler.js';
import { documentComponents, documentRoute } from './openapi-document.js';
import { requestIdFrom } from './request-id.js';
import { registerChangeFeedRoute } from './routes/change-feed-route.js';
import { registerChangeStreamRoute, type ChangeStreamOptions } from './routes/change-stream-route.js';
import { registerEnqueueJobRoute } from './routes/enqueue-job-route.js';
import { registerEnqueueJobsBatchRoute } from './routes/enqueue-jobs-batch-route.js';
import { registerHealthRoutes, type ReadinessReport } from './routes/health-routes.js';
import { registerJobRoutes } from './routes/job-routes.js';
import { registerMetricsRoute, type MetricsExposition } from './routes/metrics-route.js';
import { registerPipelineLimitRoutes } from './routes/pipeline-limit-routes.js';
import { registerPublicationRoutes } from './routes/publication-routes.js';
import { registerScheduleActionRoutes } from './routes/schedule-action-routes.js';
import { registerScheduleRoutes, type ScheduleApi } from './routes/schedule-routes.js';
import { registerSnapshotDropRoutes, type SnapshotDropApi } from './routes/snapshot-drop-routes.js';
import { registerSnapshotRoutes } from './routes/snapshot-routes.js';
import { registerWebhookDeliveryRoutes } from './routes/webhook-delivery-routes.js';
import { registerWebhookRoutes, type WebhookApi } from './routes/webhook-routes.js';

export const API_PREFIX = '/internal/v1';

export interface HttpAppOptions {
  repository: JobRepository;
  ingestion: IngestionStore;
  handlers: HandlerRegistry;
  enqueueJob: EnqueueJob;
  readiness: () => Promise<ReadinessReport>;
  isDraining: () => boolean;
  /** The bearer token; `undefined` only when insecure mode was chosen explicitly. */
  authToken: string | undefined;
  logger: Logger;
  bodyLimitBytes: number;
  /** The body limit of POST /jobs/batch, which carries up to 1,000 jobs. */
  batchBodyLimitBytes: number;
  /** Headers and body must arrive within this; slower clients get a 408 and are disconnected. */
  requestTimeoutMs: number;
  version: string;
  /** Served at GET /metrics. */
  metrics: MetricsExposition;
  schedules: ScheduleApi;
  /** Static snapshot drops: the upload route and the drop records. */
  snapshotDrops: SnapshotDropApi;
  webhooks: WebhookApi;
  /** The outbox's change feed, served as pages (with long poll) and as server-sent events. */
  changes: ChangeFeed;
  changeStreams: ChangeStreamOptions;
}

/**
 * The internal control-plane API. No CORS: it is called by services, not browsers. Health and the
 * API description are open; everything else needs the bearer token.
 */
export async function createHttpApp(options: HttpAppOptions): Promise<FastifyInstance> {
  // Typed as Fastify's logger interface so plugins see the default instance type.
  const logger: FastifyBaseLogger = options.logger;
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: options.bodyLimitBytes,
    genReqId: requestIdFrom,
    requestIdHeader: false,
    logController: new LogController({ requestIdLogLabel: 'request_id' }),
    return503OnClosing: true,
    routerOptions: { maxParamLength: 200 },
    // A client trickling its request holds a connection only this long. Node checks deadlines
    // every connectionsCheckingInterval (30 s by default), so it is kept well below the timeout.
    requestTimeout: options.requestTimeoutMs,
    http: {
      requestTimeout: options.requestTimeoutMs,
      headersTimeout: options.requestTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.round(options.requestTimeoutMs / 4))),
    },
    clientErrorHandler: clientErrorHandler(logger, options.requestTimeoutMs),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // JSON only: any other body is refused with 415 instead of reaching validation as text.
  app.removeContentTypeParser('text/plain');
  installErrorHandling(app);
  // Long polls and event streams end when the server starts closing, so in-flight requests finish.
  const closing = new AbortController();
  app.addHook('preClose', (done) => {
    closing.abort();
    done();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'ingestion-adapter internal API',
        version: options.version,
        description:
          'Enqueue ingestion jobs, inspect them, and read what was published. Every JSON success body is an object whose ' +
          'members name what they hold (`{job}`, `{jobs, next_cursor}`, `{publication}`…); every error is an ' +
          'application/problem+json document (RFC 9457). Every response carries X-Request-Id.',
      },
      servers: [{ url: '/', description: 'The host that serves this document' }],
      tags: [
        { name: 'jobs', description: 'Enqueue, list, inspect, cancel and retry ingestion jobs' },
        { name: 'publications', description: 'What was published, per pipeline and scope' },
        { name: 'snapshots', description: 'The raw responses behind a job' },
        { name: 'pipelines', description: 'Per-pipeline limits on jobs running at once' },
        { name: 'health', description: 'Open probes for orchestrators' },
        { name: 'operations', description: 'Metrics for monitoring' },
        { name: 'schedules', description: 'Recurring ingestion: schedules, their runs and coming occurrences' },
        { name: 'webhooks', description: 'Signed webhook endpoints (Standard Webhooks), their deliveries and recovery' },
        { name: 'changes', description: 'The change feed: every publication in order, by page, long poll or server-sent events' },
      ],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: documentRoute,
    transformObject: documentComponents,
  });

  await app.register(
    async (api) => {
      api.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
      registerHealthRoutes(api, options.readiness, options.isDraining);
      await api.register((secured, _options, done) => {
        if (options.authToken !== undefined) secured.addHook('onRequest', bearerAuth(options.authToken));
        registerEnqueueJobRoute(secured, options.enqueueJob, options.handlers);
        registerEnqueueJobsBatchRoute(secured, options.enqueueJob, options.handlers, options.batchBodyLimitBytes);
        registerJobRoutes(secured, options.repository, options.ingestion);
        registerPublicationRoutes(secured, options.ingestion, options.handlers);
        registerSnapshotRoutes(secured, options.ingestion, options.repository);
        registerPipelineLimitRoutes(secured, options.repository, options.handlers);
        registerScheduleRoutes(secured, options.schedules, options.handlers);
        registerScheduleActionRoutes(secured, options.schedules, options.repository);
        registerSnapshotDropRoutes(secured, options.snapshotDrops);
        registerWebhookRoutes(secured, options.webhooks);
        registerWebhookDeliveryRoutes(secured, options.webhooks);
        registerChangeFeedRoute(secured, options.changes, closing.signal);
        registerChangeStreamRoute(secured, options.changes, closing.signal, options.changeStreams);
        done();
      });
    },
    { prefix: API_PREFIX },
  );
  await app.register((root, _options, done) => {
    if (options.authToken !== undefined) root.addHook('onRequest', bearerAuth(options.authToken));
    registerMetricsRoute(root, options.metrics);
    done();
  });
  await app.register(fastifySwaggerUi, { routePrefix: `${API_PREFIX}/docs` });
  return app;
}
