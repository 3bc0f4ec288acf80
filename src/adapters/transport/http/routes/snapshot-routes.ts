import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { IngestionStore } from '../../../../core/ingestion-store.js';
import type { JobRepository } from '../../../../core/job-repository.js';
import { HttpProblem, problemSchema } from '../problem.js';
import { snapshotListSchema, snapshotResource } from '../publication-resource.js';
import { positiveId } from '../request-fields.js';

const idParams = z.strictObject({ id: positiveId('an id') });

/**
 * How a stored body may be shown: JSON and plain text inline; anything else (HTML, XML, bytes)
 * only as a download, so a browser pointed at the API never renders what a provider sent.
 */
function snapshotDisposition(contentType: string, id: string): string | undefined {
  const media = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  if (media === 'application/json' || media.endsWith('+json') || media === 'text/plain') return undefined;
  const extension = media === 'text/html' ? 'html' : media === 'application/xml' || media === 'text/xml' || media.endsWith('+xml') ? 'xml' : 'bin';
  return `attachment; filename="snapshot-${id}.${extension}"`;
}

/** The raw responses behind a job, and their original bytes. */
export function registerSnapshotRoutes(app: FastifyInstance, store: IngestionStore, jobs: JobRepository): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get('/jobs/:id/snapshots', {
    schema: {
      operationId: 'listJobSnapshots',
      summary: "Metadata of every response a job's attempts fetched, failed attempts included",
      tags: ['snapshots'],
      params: idParams,
      response: { 200: snapshotListSchema, 400: problemSchema, 401: problemSchema, 404: problemSchema },
      responseDocs: { 200: { description: "The job's snapshots, oldest first" }, 404: { description: 'No such job' } },
    },
    handler: async (request) => {
      if ((await jobs.getJob(request.params.id)) === null) throw new HttpProblem(404, `job ${request.params.id} does not exist`);
      const snapshots = await store.listSnapshots(request.params.id);
      return { snapshots: snapshots.map(snapshotResource) };
    },
  });

  routes.get('/snapshots/:id/body', {
    schema: {
      operationId: 'getSnapshotBody',
      summary: 'The original bytes of a snapshot',
      description:
        'Served with the content type the provider sent (application/octet-stream when it sent none). ' +
        'JSON and plain text are shown inline; anything else (HTML, XML, bytes) only as an attachment.',
      tags: ['snapshots'],
      params: idParams,
      // Bytes, sent as they were received; Fastify does not serialize a Buffer.
      response: { 200: z.unknown(), 400: problemSchema, 401: problemSchema, 404: problemSchema },
      responseDocs: {
        200: {
          description: 'The body as the provider sent it',
          content: { '*/*': { schema: { type: 'string', format: 'binary', description: 'The original bytes' } } },
          headers: {
            'Content-Type': { type: 'string', description: 'The content type the provider sent' },
            'Content-Disposition': { type: 'string', description: 'attachment; filename="snapshot-{id}.{html|xml|bin}" for anything but JSON or plain text' },
            'X-Content-SHA256': { type: 'string', description: 'sha256 of the body, hex' },
          },
        },
        404: { description: 'No such snapshot, or its body is missing' },
      },
    },
    handler: async (request, reply) => {
      const snapshot = await store.getSnapshot(request.params.id);
      if (snapshot === null) throw new HttpProblem(404, `snapshot ${request.params.id} does not exist`);
      const body = await store.loadBody(snapshot.sha256);
      if (body === null) throw new HttpProblem(404, `the body of snapshot ${request.params.id} is missing`);
      const contentType = snapshot.contentType ?? 'application/octet-stream';
      const disposition = snapshotDisposition(contentType, request.params.id);
      if (disposition !== undefined) reply.header('content-disposition', disposition);
      return reply
        .type(contentType)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('x-content-sha256', snapshot.sha256)
        .send(Buffer.from(body));
    },
  });
}
