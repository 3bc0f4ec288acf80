import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpProblem, problemSchema } from '../problem.js';

export interface ReadinessReport {
  ready: boolean;
  /**
   * One generic word per dependency (`ok`, `unavailable`, `pending`, …). This route is open to
   * anyone, so never an error text, host or DSN: those belong in the log.
   */
  checks: Record<string, string>;
}

const readySchema = z.object({ status: z.literal('ready'), checks: z.record(z.string(), z.string()) }).meta({ id: 'Readiness' });

/** Open routes for orchestrators: liveness touches nothing; readiness checks the database. */
export function registerHealthRoutes(
  app: FastifyInstance,
  readiness: () => Promise<ReadinessReport>,
  isDraining: () => boolean,
): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  routes.get('/health/live', {
    schema: { summary: 'The process is up', tags: ['health'], response: { 200: z.object({ status: z.literal('live') }) } },
    handler: () => Promise.resolve({ status: 'live' as const }),
  });
  routes.get('/health/ready', {
    schema: {
      summary: 'Ready for traffic: database reachable, migrations current, not draining',
      tags: ['health'],
      response: { 200: readySchema, 503: problemSchema },
    },
    handler: async () => {
      if (isDraining()) throw new HttpProblem(503, 'shutting down: draining requests');
      const report = await readiness();
      if (!report.ready) {
        // `unknown` is a check that could not run because another failed; the one that failed says why.
        const failed = Object.entries(report.checks).filter(([, status]) => status !== 'ok' && status !== 'unknown');
        throw new HttpProblem(503, `not ready: ${failed.map(([name, status]) => `${name} ${status}`).join(', ')}`);
      }
      return { status: 'ready' as const, checks: report.checks };
    },
  });
}
