import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { HandlerRegistry } from '../../../../application/handler-registry.js';
import type { FieldProblem } from '../../../../application/field-problem.js';
import type { IngestionStore } from '../../../../core/ingestion-store.js';
import type { JsonObject } from '../../../../core/job.js';
import { HttpProblem, problemSchema } from '../problem.js';
import { publicationPageSchema, publicationResource, publicationResponseSchema } from '../publication-resource.js';
import { positiveId, storableText } from '../request-fields.js';
import { textProblem } from '../../../../core/storable-values.js';

const idParams = z.strictObject({ id: positiveId('a publication id') });
const publicationList = publicationPageSchema;
const LATEST_LIMIT = z.coerce.number().int().min(1).max(100).default(20);

const latestQuery = z
  .looseObject({
    pipeline: storableText().min(1).max(200),
    limit: LATEST_LIMIT,
  })
  .describe('Any other parameter is a scope field that must match, e.g. country=US&event_type=upcoming');

/**
 * The query of a pipeline's own latest-publications route: each scope field is a filter, so the
 * document (and a client generated from it) names them. Values are text; each is read the way the
 * scope schema declares the field.
 */
function pipelineLatestQuery(scopeSchema: z.ZodType) {
  const filters = Object.fromEntries(
    Object.keys(objectShape(scopeSchema) ?? {}).map((field) => [field, z.string().max(500).optional().describe(`Only scopes whose ${field} is this value`)]),
  );
  return z.strictObject({ ...filters, limit: LATEST_LIMIT });
}

/** `smoothcomp.event_catalog` → `SmoothcompEventCatalog`, for operation ids. */
function pascalCase(pipeline: string): string {
  return pipeline
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => `${part[0]?.toUpperCase() ?? ''}${part.slice(1)}`)
    .join('');
}

const historyQuery = z.strictObject({
  pipeline: storableText().min(1).max(200),
  scope_key: storableText().min(1).max(4000),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: storableText().min(1).max(500).optional(),
});

/** Looking up what was published: the latest per scope, one by id, and a scope's history. */
export function registerPublicationRoutes(app: FastifyInstance, store: IngestionStore, handlers: HandlerRegistry): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get('/publications/latest', {
    schema: {
      operationId: 'listLatestPublications',
      summary: 'The latest publication of every scope of a pipeline that matches the scope filters',
      description: 'Each pipeline also has its own route, /publications/latest/{pipeline}, that names its scope filters.',
      tags: ['publications'],
      querystring: latestQuery,
      response: { 200: publicationList, 400: problemSchema, 401: problemSchema },
      responseDocs: { 200: { description: 'One publication per matching scope, newest first; next_cursor is always null' } },
    },
    handler: async (request) => {
      const { pipeline, limit, ...filters } = request.query;
      const filter = scopeFilter(pipeline, filters, handlers);
      const publications = await store.findLatestPublications(pipeline, filter, limit);
      return { publications: publications.map(publicationResource), next_cursor: null };
    },
  });

  for (const pipeline of handlers.pipelines()) {
    const handler = handlers.get(pipeline);
    if (handler === undefined) continue;
    routes.get(`/publications/latest/${pipeline}`, {
      schema: {
        operationId: `listLatest${pascalCase(pipeline)}Publications`,
        summary: `The latest publication of every ${pipeline} scope that matches the scope filters`,
        tags: ['publications'],
        querystring: pipelineLatestQuery(handler.scopeSchema),
        response: { 200: publicationList, 400: problemSchema, 401: problemSchema },
        responseDocs: { 200: { description: 'One publication per matching scope, newest first; next_cursor is always null' } },
      },
      handler: async (request) => {
        const { limit, ...filters } = request.query;
        const filter = scopeFilter(pipeline, filters, handlers);
        const publications = await store.findLatestPublications(pipeline, filter, limit);
        return { publications: publications.map(publicationResource), next_cursor: null };
      },
    });
  }

  routes.get('/publications', {
    schema: {
      operationId: 'listPublications',
      summary: "A scope's publications, newest first",
      tags: ['publications'],
      querystring: historyQuery,
      response: { 200: publicationList, 400: problemSchema, 401: problemSchema },
      responseDocs: { 200: { description: 'A page of publications' } },
    },
    handler: async (request) => {
      const q = request.query;
      const page = await store.listPublications({ pipeline: q.pipeline, scopeKey: q.scope_key, limit: q.limit, ...(q.cursor === undefined ? {} : { cursor: q.cursor }) });
      return { publications: page.publications.map(publicationResource), next_cursor: page.nextCursor };
    },
  });

  routes.get('/publications/:id', {
    schema: {
      operationId: 'getPublication',
      summary: 'One publication with its envelope',
      tags: ['publications'],
      params: idParams,
      response: { 200: publicationResponseSchema, 400: problemSchema, 401: problemSchema, 404: problemSchema },
      responseDocs: { 200: { description: 'The publication' } },
    },
    handler: async (request) => {
      const publication = await store.getPublication(request.params.id);
      if (publication === null) throw new HttpProblem(404, `publication ${request.params.id} does not exist`);
      return { publication: publicationResource(publication) };
    },
  });
}

/**
 * Query values are text; a scope field may be a number or a boolean. Each filter is read the way
 * the pipeline's scope schema declares that field, and a field the scope does not have is refused.
 */
function scopeFilter(pipeline: string, filters: Record<string, unknown>, handlers: HandlerRegistry): JsonObject {
  const handler = handlers.get(pipeline);
  if (handler === undefined) {
    throw new HttpProblem(400, 'unknown pipeline', [{ field: 'query.pipeline', message: `registered: ${handlers.pipelines().join(', ')}` }]);
  }
  const shape = objectShape(handler.scopeSchema);
  const problems: FieldProblem[] = [];
  const filter: JsonObject = {};
  for (const [key, raw] of Object.entries(filters)) {
    // Own fields only: `constructor` or `__proto__` are on every object, and are not scope fields.
    const field = shape !== undefined && Object.hasOwn(shape, key) ? shape[key] : undefined;
    if (typeof raw !== 'string' || raw.length > 500) {
      problems.push({ field: `query.${key}`, message: 'must be given once, at most 500 characters' });
      continue;
    }
    const unstorable = textProblem(raw);
    if (unstorable !== undefined) {
      problems.push({ field: `query.${key}`, message: unstorable });
      continue;
    }
    if (field === undefined) {
      problems.push({ field: `query.${key}`, message: `not a scope field of ${pipeline}` });
      continue;
    }
    const value = [raw, Number(raw), raw === 'true' ? true : raw === 'false' ? false : undefined]
      .filter((candidate) => candidate !== undefined && !(typeof candidate === 'number' && Number.isNaN(candidate)))
      .find((candidate) => field.safeParse(candidate).success);
    if (value === undefined) problems.push({ field: `query.${key}`, message: `not a valid ${key} for ${pipeline}` });
    else filter[key] = value;
  }
  if (problems.length > 0) throw new HttpProblem(400, 'the scope filters are invalid', problems);
  return filter;
}

function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  return schema instanceof z.ZodObject ? (schema.shape) : undefined;
}
