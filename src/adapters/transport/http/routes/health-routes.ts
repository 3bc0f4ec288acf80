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
    schema: {
      operationId: 'getLiveness',
      summary: 'The process is up',
      tags: ['health'],
      security: [],
      response: { 200: z.object({ status: z.literal('live') }).meta({ id: 'Liveness' }) },
      responseDocs: { 200: { description: 'The process answers; nothing else is checked' } },
    },
    handler: () => Promise.resolve({ status: 'live' as const }),
  });
  routes.get('/health/ready', {
    schema: {
      operationId: 'getReadiness',
      summary: 'Ready for traffic: database reachable, migrations current, not draining',
      tags: ['health'],
      security: [],
      response: { 200: readySchema, 503: problemSchema },
      responseDocs: {
        200: { description: 'Ready; `checks` has one word per dependency' },
        503: { description: 'Not ready, or draining; `detail` names the failed checks in generic words' },
      },
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
