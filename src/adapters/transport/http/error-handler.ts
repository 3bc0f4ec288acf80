import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import type { FieldProblem } from '../../../application/field-problem.js';
import { InvalidCursorError } from '../../../core/job-repository.js';
import { HttpProblem, problemDocument } from './problem.js';

/** Fastify's own client errors, reworded for a person reading the problem document. */
const FASTIFY_CLIENT_ERRORS: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'send the body as application/json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'the Content-Length header does not match the body',
  FST_ERR_CTP_BODY_TOO_LARGE: 'the request body is larger than this service accepts',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'the body is empty but the content type says JSON',
};

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  detail: string,
  errors?: FieldProblem[],
): FastifyReply {
  const document = { ...problemDocument(status, detail, errors), instance: request.url.split('?')[0], request_id: request.id };
  return reply.code(status).type('application/problem+json').send(JSON.stringify(document));
}

/**
 * Every error leaves as application/problem+json. Client errors say what was wrong and, for
 * invalid input, which field; server errors are logged with their stack and answered without it.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpProblem) {
      reply.headers(error.headers);
      return sendProblem(request, reply, error.status, error.detail, error.errors);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const where = error.validationContext ?? 'body';
      const errors = error.validation.map((issue) => {
        const path = issue.instancePath.split('/').filter((part) => part !== '');
        const keys = issue.keyword === 'unrecognized_keys' ? (issue.params as { keys?: unknown }).keys : undefined;
        return {
          field: [where === 'querystring' ? 'query' : where, ...path].join('.'),
          message: Array.isArray(keys) ? `unknown field${keys.length === 1 ? '' : 's'}: ${keys.join(', ')}` : (issue.message ?? 'invalid'),
        };
      });
      return sendProblem(request, reply, 400, `the request ${where === 'querystring' ? 'query' : where} is invalid`, errors);
    }
    if (error instanceof InvalidCursorError) {
      return sendProblem(request, reply, 400, error.message, [{ field: 'query.cursor', message: error.message }]);
    }
    if (isResponseSerializationError(error)) {
      request.log.error({ err: error, issues: error.cause.issues }, 'response did not match its schema');
      return sendProblem(request, reply, 500, 'the service failed to answer; the error was logged');
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) {
        // Also what a `__proto__` or `constructor.prototype` key gets: the parser refuses those.
        return sendProblem(request, reply, 400, `the body is not valid JSON: ${error.message}`, [{ field: 'body', message: error.message }]);
      }
      return sendProblem(request, reply, status, FASTIFY_CLIENT_ERRORS[error.code] ?? error.message);
    }
    request.log.error({ err: error }, 'request failed');
    return sendProblem(request, reply, status >= 500 ? status : 500, 'the service failed to answer; the error was logged');
  });

  app.setNotFoundHandler((request, reply) => sendProblem(request, reply, 404, `no route ${request.method} ${request.url.split('?')[0]}`));
}
