import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpProblem } from './problem.js';

/**
 * `Authorization: Bearer <token>`, compared in constant time: both sides are hashed first, so
 * neither the comparison nor an early length check reveals how much of a guess was right.
 */
export function bearerAuth(token: string): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  const expected = digest(token);
  return (request) => {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    const challenge = { 'www-authenticate': 'Bearer realm="ingestion-adapter"' };
    if (match?.[1] === undefined) {
      return Promise.reject(new HttpProblem(401, 'send Authorization: Bearer <INTERNAL_AUTH_TOKEN>', undefined, challenge));
    }
    if (!timingSafeEqual(digest(match[1]), expected)) {
      return Promise.reject(new HttpProblem(401, 'the bearer token is not valid', undefined, challenge));
    }
    return Promise.resolve();
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
