import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { EndpointOutcome, WebhookEndpointService } from '../../../../application/delivery/webhook-endpoint-service.js';
import type { WebhookRepository } from '../../../../core/webhooks/webhook-repository.js';
import { HttpProblem, problemSchema } from '../problem.js';
import { storableText } from '../request-fields.js';
import {
  testSendResource,
  testSendSchema,
  webhookResource,
  webhookResponseSchema,
  webhookSchema,
  webhookWithSecretSchema,
} from '../webhook-resource.js';

/** What the webhook routes work with. */
export interface WebhookApi {
  repository: WebhookRepository;
  service: WebhookEndpointService;
  /** Tries a resent or redelivered delivery gets. */
  maxTries: number;
}

export const MAX_WEBHOOK_PAGE_SIZE = 200;

/** Any text: an id that is not an endpoint's is a 404, not a 400. */
export const webhookIdParams = z.strictObject({ id: z.string().describe('Decimal webhook endpoint id') });

export const webhookNotFound = (id: string) => new HttpProblem(404, `webhook ${id} does not exist or was deleted`);

const LOCATION = { type: 'string', description: 'The endpoint: /internal/v1/webhooks/{id}' } as const;
const SECRET_RULES = 'whsec_ followed by the standard base64 of 24 to 64 random bytes; generated (32 bytes) when absent';

const settings = {
  url: storableText().min(1).max(2000).describe('Where deliveries are POSTed: an http(s) URL; redirects are never followed'),
  description: storableText().max(500).optional(),
  pipelines: z.array(storableText().min(1).max(200)).max(100).nullable().optional().describe('Only events of these pipelines; absent or null: every pipeline'),
  enabled: z.boolean().optional().describe('Default true; enabling clears the reason it was disabled'),
  ordered: z.boolean().optional().describe("Default false; true: a scope's next event waits until its previous one succeeded or was given up"),
};

const createBody = z.strictObject({ ...settings, secret: storableText().max(200).optional().describe(SECRET_RULES) });
const updateBody = z.strictObject({ ...settings, url: settings.url.optional() });
const rotateBody = z.strictObject({
  secret: storableText().max(200).optional().describe(SECRET_RULES),
  previous_valid_seconds: z
    .int()
    .min(0)
    .max(30 * 86_400)
    .optional()
    .describe('How long the previous secret keeps signing too; default WEBHOOK_PREVIOUS_SECRET_VALID_HOURS'),
});

const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_WEBHOOK_PAGE_SIZE).default(50),
  cursor: storableText().min(1).max(500).optional().describe('next_cursor of the previous page'),
});

function refusal(outcome: Exclude<EndpointOutcome, { ok: true }>, id: string): HttpProblem {
  return outcome.reason === 'invalid' ? new HttpProblem(400, 'the webhook is invalid', outcome.problems) : webhookNotFound(id);
}

function withSecret(outcome: Extract<EndpointOutcome, { ok: true }>) {
  if (outcome.secret === undefined) throw new Error('a new secret was expected');
  return { webhook: webhookResource(outcome.endpoint), secret: outcome.secret };
}

/** Registering, listing, reading, changing and deleting webhook endpoints; rotating secrets; test sends. */
export function registerWebhookRoutes(app: FastifyInstance, webhooks: WebhookApi): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.post('/webhooks', {
    schema: {
      operationId: 'createWebhook',
      summary: 'Register a webhook endpoint; its secret is in this answer only',
      tags: ['webhooks'],
      body: createBody,
      response: { 201: webhookWithSecretSchema, 400: problemSchema, 401: problemSchema, 413: problemSchema, 415: problemSchema },
      responseDocs: { 201: { description: 'The endpoint, and its signing secret (never shown again)', headers: { Location: LOCATION } } },
    },
    handler: async (request, reply) => {
      const outcome = await webhooks.service.create(request.body);
      if (!outcome.ok) throw refusal(outcome, '');
      return reply.code(201).header('location', `/internal/v1/webhooks/${outcome.endpoint.id}`).send(withSecret(outcome));
    },
  });

  routes.get('/webhooks', {
    schema: {
      operationId: 'listWebhooks',
      summary: 'List webhook endpoints not deleted, newest first',
      tags: ['webhooks'],
      querystring: pageQuery,
      response: {
        200: z
          .object({ webhooks: z.array(webhookSchema), next_cursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last') })
          .meta({ id: 'WebhookPage' }),
        400: problemSchema,
        401: problemSchema,
      },
      responseDocs: { 200: { description: 'A page of endpoints (secrets are never listed)' } },
    },
    handler: async (request) => {
      const { limit, cursor } = request.query;
      const page = await webhooks.repository.listEndpoints({ limit, ...(cursor === undefined ? {} : { cursor }) });
      return { webhooks: page.endpoints.map(webhookResource), next_cursor: page.nextCursor };
    },
  });

  routes.get('/webhooks/:id', {
    schema: {
      operationId: 'getWebhook',
      summary: 'A webhook endpoint (never its secret)',
      tags: ['webhooks'],
      params: webhookIdParams,
      response: { 200: webhookResponseSchema, 401: problemSchema, 404: problemSchema },
      responseDocs: { 200: { description: 'The endpoint' }, 404: { description: 'No endpoint has this id, or it was deleted' } },
    },
    handler: async (request) => {
      const endpoint = await webhooks.repository.getEndpoint(request.params.id);
      if (endpoint === null) throw webhookNotFound(request.params.id);
      return { webhook: webhookResource(endpoint) };
    },
  });

  routes.patch('/webhooks/:id', {
    schema: {
      operationId: 'updateWebhook',
      summary: 'Change an endpoint; fields left out keep their value',
      tags: ['webhooks'],
      params: webhookIdParams,
      body: updateBody,
      response: { 200: webhookResponseSchema, 400: problemSchema, 401: problemSchema, 404: problemSchema, 413: problemSchema, 415: problemSchema },
      responseDocs: { 200: { description: 'The endpoint as it now is' }, 404: { description: 'No endpoint has this id, or it was deleted' } },
    },
    handler: async (request) => {
      const outcome = await webhooks.service.update(request.params.id, request.body);
      if (!outcome.ok) throw refusal(outcome, request.params.id);
      return { webhook: webhookResource(outcome.endpoint) };
    },
  });

  routes.delete('/webhooks/:id', {
    schema: {
      operationId: 'deleteWebhook',
      summary: 'Delete an endpoint: it receives nothing more; its deliveries stay readable',
      tags: ['webhooks'],
      params: webhookIdParams,
      response: { 204: z.null().describe('Deleted'), 401: problemSchema, 404: problemSchema },
      responseDocs: { 204: { description: 'Deleted; deliveries not yet sent are not sent' }, 404: { description: 'No endpoint has this id, or it was deleted' } },
    },
    handler: async (request, reply) => {
      if (!(await webhooks.repository.deleteEndpoint(request.params.id))) throw webhookNotFound(request.params.id);
      return reply.code(204).send(null);
    },
  });

  routes.post('/webhooks/:id/rotate-secret', {
    schema: {
      operationId: 'rotateWebhookSecret',
      summary: 'Replace the signing secret; the previous one keeps signing too for a while',
      tags: ['webhooks'],
      params: webhookIdParams,
      body: rotateBody,
      response: { 200: webhookWithSecretSchema, 400: problemSchema, 401: problemSchema, 404: problemSchema, 415: problemSchema },
      responseDocs: {
        200: { description: 'The endpoint and its new secret (never shown again); deliveries carry both signatures until previous_secret_valid_until' },
        404: { description: 'No endpoint has this id, or it was deleted' },
      },
    },
    handler: async (request) => {
      const { secret, previous_valid_seconds: previousValidSeconds } = request.body;
      const outcome = await webhooks.service.rotate(request.params.id, {
        ...(secret === undefined ? {} : { secret }),
        ...(previousValidSeconds === undefined ? {} : { previousValidSeconds }),
      });
      if (!outcome.ok) throw refusal(outcome, request.params.id);
      return withSecret(outcome);
    },
  });

  routes.post('/webhooks/:id/test', {
    schema: {
      operationId: 'testWebhook',
      summary: 'Send a signed webhook.test event now and report what the endpoint answered; nothing is stored',
      tags: ['webhooks'],
      params: webhookIdParams,
      response: { 200: z.object({ test: testSendSchema }).meta({ id: 'WebhookTestResponse' }), 401: problemSchema, 404: problemSchema },
      responseDocs: {
        200: { description: 'What came back (a failure to deliver is reported here, not as an error status)' },
        404: { description: 'No endpoint has this id, or it was deleted' },
      },
    },
    handler: async (request, reply) => {
      // The response's close, not the request's: a request closes as soon as its body has been read.
      const controller = new AbortController();
      const abort = () => controller.abort();
      reply.raw.once('close', abort);
      let outcome: Awaited<ReturnType<typeof webhooks.service.testSend>>;
      try {
        outcome = await webhooks.service.testSend(request.params.id, controller.signal);
      } finally {
        reply.raw.off('close', abort);
      }
      if (!outcome.ok) throw webhookNotFound(request.params.id);
      return { test: testSendResource(outcome.result) };
    },
  });
}
