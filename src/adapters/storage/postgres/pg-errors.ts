import { DatabaseUnavailableError } from '../../../core/database-error.js';

/** Socket errors: the server cannot be reached or the connection broke. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** SQLSTATEs of a server that is going away, starting up or full; class 08 is matched apart. */
const TRANSIENT_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
/** SQLSTATEs no retry fixes: bad credentials, missing database. */
const PERMANENT_SQLSTATES = new Set(['28000', '28P01', '3D000']);
/** node-postgres says so only in words when a connection ends under a query or cannot be made. */
const BROKEN_CONNECTION = /connection terminated|connection error|not queryable|timeout exceeded when trying to connect/i;

/**
 * node-postgres's connection-class errors as the core's DatabaseUnavailableError (the original is
 * its cause); any other error, such as a constraint violation or a bug in a statement, unchanged.
 */
export function classifyPgError(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof DatabaseUnavailableError) return error;
  const code = (error as { code?: unknown }).code;
  const permanent = typeof code === 'string' && PERMANENT_SQLSTATES.has(code);
  const transient =
    typeof code === 'string' ? NETWORK_CODES.has(code) || TRANSIENT_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code) : BROKEN_CONNECTION.test(error.message);
  if (!permanent && !transient) return error;
  return new DatabaseUnavailableError(`PostgreSQL is unavailable: ${error.message}`, { permanent, cause: error });
}
