import type { Logger } from 'pino';
import type { JobHandler } from '../application/job-handler.js';
import type { Env } from './config.js';
import { redactDsn } from './logger.js';

/** Where spans go, for the start-up line, and what the exporter will not do as asked. */
export interface TracingExport {
  /** The traces URL the exporter posts to, password and credential-looking query values redacted. */
  endpoint: string;
  warnings: string[];
}

/**
 * Whether to export spans, and where, from the variables loadConfig checked. The OTLP/HTTP exporter
 * appends the signal's path to the shared endpoint and uses the traces one as it is.
 */
export function tracingExport(env: Env): TracingExport | undefined {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (env.OTEL_EXPORTER_OTLP_ENDPOINT === undefined ? undefined : `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/$/, '')}/v1/traces`);
  if (traces === undefined) return undefined;
  const [variable, protocol] =
    env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL === undefined
      ? ['OTEL_EXPORTER_OTLP_PROTOCOL', env.OTEL_EXPORTER_OTLP_PROTOCOL]
      : ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL];
  const warnings = protocol === undefined || protocol === 'http/json' ? [] : [`${variable}=${protocol} is not followed: spans are sent as OTLP/HTTP with JSON bodies (http/json)`];
  return { endpoint: redactDsn(traces), warnings };
}

/** The processes that export traces; each is its own service unless OTEL_SERVICE_NAME names one. */
export type TracedProcess = 'api' | 'worker' | 'server';

/** Tracing as a process sees it: nothing at all when off, the OpenTelemetry SDK when on. */
export interface Tracing {
  /** Each handler's runs inside a `job <pipeline>` span; the same handlers when tracing is off. */
  traceJobs(handlers: JobHandler[]): JobHandler[];
  /** Logs where spans go (and any setting not followed); the SDK's own warnings go to `logger` from then on. */
  announce(logger: Logger): void;
  /** Exports the spans still pending and stops; bounded, so an unreachable collector cannot hold up an exit. */
  stop(): Promise<void>;
}

export interface TracingSettings extends TracingExport {
  /** The service name unless OTEL_SERVICE_NAME (or service.name in OTEL_RESOURCE_ATTRIBUTES) gives one. */
  defaultServiceName: string;
}

const OFF: Tracing = {
  traceJobs: (handlers) => handlers,
  announce: () => undefined,
  stop: () => Promise.resolve(),
};

/**
 * Starts exporting traces when the configuration has an OTLP endpoint, and otherwise does nothing:
 * the OpenTelemetry packages are imported only past this check, so a process without the variable
 * loads none of them and installs no hook. Call it before anything imports fastify, pg or undici,
 * so that their instrumentation is in place when they load.
 */
export async function startTracing(tracing: TracingExport | undefined, process: TracedProcess): Promise<Tracing> {
  if (tracing === undefined) return OFF;
  const { startOtelTracing } = await import('./otel/start-otel-tracing.js');
  return startOtelTracing({ ...tracing, defaultServiceName: `ingestion-adapter-${process}` });
}
