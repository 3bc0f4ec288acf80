import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemSchema } from '../problem.js';

/** The process's metrics in a scrape format (Prometheus text), and the content type to send them as. */
export interface MetricsExposition {
  readonly contentType: string;
  render(): Promise<string>;
}

/**
 * `GET /metrics`, at the root where Prometheus looks by default. Behind the bearer token like the
 * rest of the API (Prometheus sends it with `authorization: {credentials_file: …}`).
 */
export function registerMetricsRoute(app: FastifyInstance, metrics: MetricsExposition): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  routes.get('/metrics', {
    schema: {
      operationId: 'getMetrics',
      summary: 'Metrics in the Prometheus text format',
      description:
        'Counters and histograms of this process, the queue gauges read from the database at scrape time (one statement ' +
        'with a time limit), and Node.js process metrics. The README lists every metric.',
      tags: ['operations'],
      // Text, produced by the metrics library; Fastify sends the string as it is.
      response: { 200: z.string(), 401: problemSchema },
      responseDocs: {
        200: {
          description: 'The Prometheus text exposition format',
          content: { 'text/plain; version=0.0.4; charset=utf-8': { schema: { type: 'string' } } },
        },
      },
    },
    handler: async (_request, reply) => {
      const text = await metrics.render();
      return reply.type(metrics.contentType).header('cache-control', 'no-store').send(text);
    },
  });
}
