import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RecoveryResult } from '../../../../core/webhooks/webhook-repository.js';
import { HttpProblem, problemSchema } from '../problem.js';
import { INSTANT_RULES, storableInstant, storableText } from '../request-fields.js';
import { deliveryAttemptResource, deliveryAttemptSchema, deliveryResource, deliverySchema, recoveryRecordResource, recoveryRecordSchema } from '../webhook-resource.js';
import { MAX_WEBHOOK_PAGE_SIZE, webhookIdParams, webhookNotFound, type WebhookApi } from './webhook-routes.js';

const deliveriesQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_WEBHOOK_PAGE_SIZE).default(50),
  cursor: storableText().min(1).max(500).optional().describe('next_cursor of the previous page'),
  status: z.enum(['waiting', 'pending', 'succeeded', 'failed']).optional(),
});

const requestedBy = storableText().min(1).max(200).describe('Who asks (a person or a service), kept with the recovery');

const recoverySchema = z
  .object({
    recovery_id: z.string().describe('The record of who asked and when'),
    deliveries: z.array(deliverySchema).describe('The deliveries sent again, each with its new job'),
  })
  .meta({ id: 'WebhookRecovery' });

function recoveryAnswer(result: RecoveryResult, endpointId: string) {
  if (result.ok) return { recovery_id: result.recoveryId, deliveries: result.deliveries.map(deliveryResource) };
  switch (result.reason) {
    case 'endpoint_not_found':
      throw webhookNotFound(endpointId);
    case 'endpoint_disabled':
      throw new HttpProblem(409, `webhook ${endpointId} is disabled; enable it first (PATCH enabled: true)`);
    case 'delivery_not_found':
      throw new HttpProblem(404, `webhook ${endpointId} has no delivery of this event`);
    case 'delivery_in_progress':
      throw new HttpProblem(409, 'this event is being delivered to the endpoint already');
  }
}

/** An endpoint's deliveries and their tries; resending one event and redelivering what failed. */
export function registerWebhookDeliveryRoutes(app: FastifyInstance, webhooks: WebhookApi): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get('/webhooks/:id/deliveries', {
    schema: {
      operationId: 'listWebhookDeliveries',
      summary: "An endpoint's deliveries, newest first",
      tags: ['webhooks'],
      params: webhookIdParams,
      querystring: deliveriesQuery,
      response: {
        200: z
          .object({ deliveries: z.array(deliverySchema), next_cursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last') })
          .meta({ id: 'WebhookDeliveryPage' }),
        400: problemSchema,
        401: problemSchema,
        404: problemSchema,
      },
      responseDocs: { 200: { description: 'A page of deliveries' }, 404: { description: 'No endpoint has this id, or it was deleted' } },
    },
    handler: async (request) => {
      if ((await webhooks.repository.getEndpoint(request.params.id)) === null) throw webhookNotFound(request.params.id);
      const { limit, cursor, status } = request.query;
      const page = await webhooks.repository.listDeliveries(request.params.id, {
        limit,
        ...(cursor === undefined ? {} : { cursor }),
        ...(status === undefined ? {} : { status }),
      });
      return { deliveries: page.deliveries.map(deliveryResource), next_cursor: page.nextCursor };
    },
  });

  routes.get('/webhooks/:id/deliveries/:delivery_id', {
    schema: {
      operationId: 'getWebhookDelivery',
      summary: 'A delivery with every try: status, latency, the first bytes of the answer, the error',
      tags: ['webhooks'],
      params: z.strictObject({ id: z.string().describe('Decimal webhook endpoint id'), delivery_id: z.string().describe('Decimal delivery id') }),
      response: {
        200: z.object({ delivery: deliverySchema, attempts: z.array(deliveryAttemptSchema) }).meta({ id: 'WebhookDeliveryDetails' }),
        401: problemSchema,
        404: problemSchema,
      },
      responseDocs: { 200: { description: 'The delivery and its tries, oldest first' }, 404: { description: 'No such delivery of this endpoint' } },
    },
    handler: async (request) => {
      const found = await webhooks.repository.getDelivery(request.params.id, request.params.delivery_id);
      if (found === null) throw new HttpProblem(404, `webhook ${request.params.id} has no delivery ${request.params.delivery_id}`);
      return { delivery: deliveryResource(found.delivery), attempts: found.attempts.map(deliveryAttemptResource) };
    },
  });

  routes.post('/webhooks/:id/resend', {
    schema: {
      operationId: 'resendWebhookEvent',
      summary: 'Send one event to the endpoint again, with the same webhook-id and body',
      tags: ['webhooks'],
      params: webhookIdParams,
      body: z.strictObject({ event_id: storableText().min(1).max(200).describe('The webhook-id of the delivery to send again'), requested_by: requestedBy }),
      response: { 202: recoverySchema, 400: problemSchema, 401: problemSchema, 404: problemSchema, 409: problemSchema, 415: problemSchema },
      responseDocs: {
        202: { description: 'The delivery is pending again, with a new job' },
        404: { description: 'No such endpoint, or it never had a delivery of this event' },
        409: { description: 'The endpoint is disabled, or the event is being delivered already' },
      },
    },
    handler: async (request, reply) => {
      const result = await webhooks.repository.resendEvent({
        endpointId: request.params.id,
        eventId: request.body.event_id,
        requestedBy: request.body.requested_by,
        requestId: request.id,
        maxTries: webhooks.maxTries,
      });
      return reply.code(202).send(recoveryAnswer(result, request.params.id));
    },
  });

  routes.post('/webhooks/:id/redeliver', {
    schema: {
      operationId: 'redeliverFailedWebhooks',
      summary: 'Send again every delivery of the endpoint that failed at or after a time (up to 1,000 per call)',
      tags: ['webhooks'],
      params: webhookIdParams,
      body: z.strictObject({ since: storableInstant().describe(`Deliveries that ended failed at or after this. ${INSTANT_RULES}`), requested_by: requestedBy }),
      response: { 202: recoverySchema, 400: problemSchema, 401: problemSchema, 404: problemSchema, 409: problemSchema, 415: problemSchema },
      responseDocs: {
        202: { description: 'The deliveries sent again (none when nothing failed since then)' },
        404: { description: 'No endpoint has this id, or it was deleted' },
        409: { description: 'The endpoint is disabled' },
      },
    },
    handler: async (request, reply) => {
      const result = await webhooks.repository.redeliverFailed({
        endpointId: request.params.id,
        since: new Date(request.body.since),
        requestedBy: request.body.requested_by,
        requestId: request.id,
        maxTries: webhooks.maxTries,
      });
      return reply.code(202).send(recoveryAnswer(result, request.params.id));
    },
  });

  routes.get('/webhooks/:id/recoveries', {
    schema: {
      operationId: 'listWebhookRecoveries',
      summary: "An endpoint's resends and redeliveries, the latest first: who asked, when, how many",
      tags: ['webhooks'],
      params: webhookIdParams,
      querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(MAX_WEBHOOK_PAGE_SIZE).default(50) }),
      response: {
        200: z.object({ recoveries: z.array(recoveryRecordSchema) }).meta({ id: 'WebhookRecoveryList' }),
        400: problemSchema,
        401: problemSchema,
        404: problemSchema,
      },
      responseDocs: { 200: { description: 'The latest recoveries; the jobs they made carry what happened next' }, 404: { description: 'No endpoint has this id, or it was deleted' } },
    },
    handler: async (request) => {
      if ((await webhooks.repository.getEndpoint(request.params.id)) === null) throw webhookNotFound(request.params.id);
      const recoveries = await webhooks.repository.listRecoveries(request.params.id, request.query.limit);
      return { recoveries: recoveries.map(recoveryRecordResource) };
    },
  });
}
