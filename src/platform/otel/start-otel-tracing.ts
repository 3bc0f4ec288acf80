import { FastifyOtelInstrumentation } from '@fastify/otel';
import { diag, DiagLogLevel, trace, type DiagLogger } from '@opentelemetry/api';
import { setGlobalErrorHandler } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Tracing, TracingSettings } from '../tracing.js';
import { ExtractOnlyPropagator } from './extract-only-propagator.js';
import { outgoingUrlAttributes, requestTargetAttributes, serverSpanName } from './span-attributes.js';
import { traceJobHandlers } from './traced-job-handlers.js';

/** The longest a process waits at exit for its last spans to reach the collector. */
const STOP_TIMEOUT_MS = 5_000;
/** The same SDK complaint (a collector that is down, say) is logged at most this often. */
const REPEAT_WARNING_MS = 60_000;

const packageVersion = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Calls `log` for a message not seen in the last minute: a collector that is down is said once a minute, not per batch. */
function onceAMinute(log: (message: string, detail: unknown) => void): (message: string, detail: unknown) => void {
  const lastSeen = new Map<string, number>();
  return (message, detail) => {
    const now = Date.now();
    if ((lastSeen.get(message) ?? -Infinity) > now - REPEAT_WARNING_MS) return;
    lastSeen.set(message, now);
    log(message, detail);
  };
}

/** The SDK's warnings as warn lines of the process log (its errors arrive through the global error handler). */
function diagnosticsTo(logger: Logger): DiagLogger {
  const warn = onceAMinute((message, detail) => logger.warn({ detail }, `tracing: ${message}`));
  const ignore = () => undefined;
  const say = (message: string, ...args: unknown[]) => warn(message, args.length === 0 ? undefined : args);
  return { error: say, warn: say, info: ignore, debug: ignore, verbose: ignore };
}

/** Failed exports and other SDK errors, as one warn line each with the error, at most once a minute per message. */
function errorsTo(logger: Logger): (error: unknown) => void {
  const warn = onceAMinute((_message, error) => logger.warn({ err: error }, 'tracing: spans could not be exported or recorded'));
  return (error) => warn(error instanceof Error ? error.message : String(error), error);
}

/**
 * The OpenTelemetry SDK: spans batched and sent over OTLP/HTTP (JSON) to the endpoint the
 * environment names, with the exporter and the batch processor reading their own OTEL_*
 * variables. Traced: Fastify requests (@fastify/otel, attached to every Fastify instance as it is
 * created), pg queries inside a request or a job (not the worker's claim polling), undici requests,
 * and job runs. Loaded only when tracing is on (see ../tracing.ts).
 */
export function startOtelTracing(settings: TracingSettings): Tracing {
  const resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.defaultServiceName, 'service.namespace': 'ingestion-adapter', [ATTR_SERVICE_VERSION]: packageVersion }))
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())] });
  provider.register({ propagator: new ExtractOnlyPropagator() });

  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new FastifyOtelInstrumentation({
        registerOnInitialization: true,
        // One span per request: hook and handler spans would be named after anonymous plugin
        // functions (their source text), and the queries hang under the request span just as well.
        instrumentHooks: false,
        instrumentHandler: false,
        requestHook: (span, request) => {
          span.updateName(serverSpanName(request.method, request.routeOptions.url));
          span.setAttributes({ ...requestTargetAttributes(request.url), 'request.id': request.id });
        },
      }),
      // Statement text only: parameter values are never recorded (enhancedDatabaseReporting off).
      // No ES module hook is needed: the application imports pg's ESM entry, but that requires
      // pg/lib/client.js and pg-pool through CommonJS, where the instrumentation patches them.
      new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false }),
      new UndiciInstrumentation({ startSpanHook: (request) => outgoingUrlAttributes(request.origin, request.path) ?? {} }),
    ],
  });

  const tracer = trace.getTracer('ingestion-adapter', packageVersion);
  return {
    traceJobs: (handlers) => traceJobHandlers(handlers, tracer),
    announce: (logger) => {
      diag.setLogger(diagnosticsTo(logger), DiagLogLevel.WARN);
      setGlobalErrorHandler(errorsTo(logger));
      logger.info({ endpoint: settings.endpoint, service_name: resource.attributes[ATTR_SERVICE_NAME] }, 'tracing: spans exported over OTLP/HTTP');
      for (const warning of settings.warnings) logger.warn({}, `tracing: ${warning}`);
    },
    stop: async () => {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, STOP_TIMEOUT_MS);
      });
      try {
        // A failed export was already logged through the diagnostics above; exiting goes on regardless.
        await Promise.race([provider.shutdown().catch(() => undefined), deadline]);
      } finally {
        clearTimeout(timer);
        unregister();
      }
    },
  };
}
