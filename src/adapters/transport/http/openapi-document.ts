import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

/** A response header as the document states it: a JSON schema with a description. */
export interface HeaderDoc {
  type: 'string';
  description: string;
  enum?: string[];
}

/** What a route says about one of its responses, beyond the body schema. */
export interface ResponseDoc {
  description: string;
  headers?: Record<string, HeaderDoc>;
  /** Replaces the JSON content: for bodies that are not JSON (a snapshot's original bytes). */
  content?: Record<string, { schema: Record<string, unknown> }>;
}

declare module 'fastify' {
  interface FastifySchema {
    /** Response descriptions and headers for the API document, by status code. */
    responseDocs?: Record<number, ResponseDoc>;
  }
}

const REQUEST_ID: Record<string, HeaderDoc> = {
  'X-Request-Id': { type: 'string', description: 'The id this request is logged under: the caller\'s own X-Request-Id if it was acceptable, else a fresh one' },
};

/** Every problem status a route may declare, and what it means unless the route says more. */
const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is invalid; `errors` names each field and what is wrong with it',
  401: 'No bearer token, or not the right one',
  404: 'No such resource',
  409: 'The resource is not in a state that allows this',
  413: 'The body is larger than HTTP_BODY_LIMIT_BYTES',
  415: 'The body is not application/json',
  503: 'Not ready',
};

/** What a response nobody described is called; test/http/api-openapi-document.test.ts refuses it. */
const UNDESCRIBED = 'Default Response';

const PROBLEM_MEDIA_TYPE = 'application/problem+json';

interface TransformInput {
  schema: Record<string, unknown> & { responseDocs?: Record<number, ResponseDoc> };
  url: string;
}

interface TransformOutput {
  schema: Record<string, unknown> & { response?: Record<string, unknown> };
  url: string;
}

/**
 * The per-route transform: zod schemas become JSON schemas (fastify-type-provider-zod), then each
 * response gets its description and headers, and every error response is declared as the problem
 * document it really is, under application/problem+json.
 */
export function documentRoute(input: Parameters<typeof jsonSchemaTransform>[0]): TransformOutput {
  const docs = (input as unknown as TransformInput).schema.responseDocs;
  const output = jsonSchemaTransform(input) as TransformOutput;
  const { response } = output.schema;
  delete output.schema.responseDocs;
  if (response === undefined) return output;
  for (const [status, schema] of Object.entries(response)) {
    const code = Number(status);
    const doc = docs?.[code];
    if (code >= 400) {
      const description = doc?.description ?? PROBLEM_DESCRIPTIONS[code] ?? UNDESCRIBED;
      const challenge: Record<string, HeaderDoc> =
        code === 401 ? { 'WWW-Authenticate': { type: 'string', description: 'Bearer realm="ingestion-adapter"' } } : {};
      response[status] = { description, headers: { ...REQUEST_ID, ...challenge }, content: { [PROBLEM_MEDIA_TYPE]: { schema } } };
      continue;
    }
    response[status] = {
      description: doc?.description ?? UNDESCRIBED,
      headers: { ...REQUEST_ID, ...doc?.headers },
      content: doc?.content ?? { 'application/json': { schema } },
    };
  }
  return output;
}

type OpenApiDocument = ReturnType<typeof jsonSchemaTransformObject>;

/**
 * The whole-document transform: components from the zod registry, keeping only those the
 * document refers to. The registry is process-wide and holds an input and an output variant of
 * every named schema, most of which no route of this API uses.
 */
export function documentComponents(input: Parameters<typeof jsonSchemaTransformObject>[0]): OpenApiDocument {
  const document = jsonSchemaTransformObject(input) as unknown as { paths?: unknown; components?: { schemas?: Record<string, unknown> } };
  const schemas = document.components?.schemas;
  if (schemas === undefined) return document as OpenApiDocument;
  const used = new Set<string>();
  const pending: unknown[] = [document.paths];
  while (pending.length > 0) {
    const value = pending.pop();
    if (Array.isArray(value)) {
      pending.push(...(value as unknown[]));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if (key === '$ref' && typeof child === 'string' && child.startsWith('#/components/schemas/')) {
          const name = child.slice('#/components/schemas/'.length);
          if (!used.has(name)) {
            used.add(name);
            pending.push(schemas[name]);
          }
        } else {
          pending.push(child);
        }
      }
    }
  }
  const kept = Object.fromEntries(Object.entries(schemas).filter(([name]) => used.has(name)));
  return { ...document, components: { ...document.components, schemas: kept } } as unknown as OpenApiDocument;
}
