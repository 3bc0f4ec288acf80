import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { HealthVerdict } from '../application/worker-health.js';
import type { MetricsExposition } from '../adapters/transport/http/routes/metrics-route.js';

export interface WorkerHealthServer {
  /** The bound address, e.g. http://127.0.0.1:9090. */
  url: string;
  close(): Promise<void>;
}

export interface WorkerHealthServerOptions {
  host: string;
  /** 0 picks a free port; the log line says which. */
  port: number;
  assess: () => { live: HealthVerdict; ready: HealthVerdict };
  /** Served at /metrics when given. */
  metrics?: MetricsExposition;
  logger: Logger;
}

/**
 * The worker's own small HTTP listener: `/health/live`, `/health/ready` and `/metrics`, nothing else
 * (no job API, no secrets), without a token: keep it on a private address (WORKER_HTTP_HOST). Plain
 * node:http, since three read-only routes do not need the API's framework.
 */
export async function startWorkerHealthServer(options: WorkerHealthServerOptions): Promise<WorkerHealthServer> {
  const server = createServer((request, response) => respond(request, response, options));
  // Probes hold no long-lived connections; a slow client must not keep the process from exiting.
  server.requestTimeout = 5_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  options.logger.info({ url, routes: routesOf(options) }, `worker health listening on ${url}`);
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function routesOf(options: WorkerHealthServerOptions): string[] {
  return ['/health/live', '/health/ready', ...(options.metrics === undefined ? [] : ['/metrics'])];
}

function respond(request: IncomingMessage, response: ServerResponse, options: WorkerHealthServerOptions): void {
  const path = (request.url ?? '/').split('?')[0];
  const probe = path === '/health/live' ? 'live' : path === '/health/ready' ? 'ready' : undefined;
  const metrics = path === '/metrics' ? options.metrics : undefined;
  if (probe === undefined && metrics === undefined) return send(response, 404, { status: 'not_found', routes: routesOf(options) });
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    return send(response, 405, { status: 'method_not_allowed' });
  }
  if (metrics !== undefined) return void sendMetrics(response, metrics, request.method === 'HEAD', options.logger);
  if (probe === undefined) return;
  let verdict: HealthVerdict;
  try {
    verdict = options.assess()[probe];
  } catch (error) {
    options.logger.error({ err: error }, 'health check failed');
    return send(response, 500, { status: 'failing' });
  }
  send(response, verdict.ok ? 200 : 503, verdict.body, request.method === 'HEAD');
}

function send(response: ServerResponse, status: number, body: unknown, headOnly = false): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  response.end(headOnly ? undefined : text);
}

async function sendMetrics(response: ServerResponse, metrics: MetricsExposition, headOnly: boolean, logger: Logger): Promise<void> {
  let text: string;
  try {
    text = await metrics.render();
  } catch (error) {
    logger.error({ err: error }, 'rendering metrics failed');
    return send(response, 500, { status: 'failing' });
  }
  response.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  response.end(headOnly ? undefined : text);
}
