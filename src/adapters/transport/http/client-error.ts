import { maxHeaderSize, STATUS_CODES, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { problemDocument } from './problem.js';

/** What Node's HTTP server passes to `clientError`; `rawPacket` is the bytes it was parsing. */
interface ClientError extends Error {
  code?: string;
  rawPacket?: unknown;
}

/**
 * The head was too large. It is the request line that overflowed when the bytes Node was parsing
 * start a request line that never ended: that is a URI too long (414), anything else 431.
 */
function headOverflowStatus(rawPacket: unknown): 414 | 431 {
  if (!Buffer.isBuffer(rawPacket)) return 431;
  const head = rawPacket.subarray(0, Math.min(rawPacket.length, maxHeaderSize + 2)).toString('latin1');
  const lineEnd = head.indexOf('\n');
  const firstLine = lineEnd === -1 ? head : head.slice(0, lineEnd);
  return /^[A-Z]+ \S/.test(firstLine) && !/ HTTP\/\d/.test(firstLine) ? 414 : 431;
}

function describe(error: ClientError, requestTimeoutMs: number): { status: number; detail: string } {
  const kib = Math.round(maxHeaderSize / 1024);
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { status: 408, detail: `the request did not arrive completely within ${requestTimeoutMs / 1000} s` };
  }
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return headOverflowStatus(error.rawPacket) === 414
      ? { status: 414, detail: `the request line is longer than this service accepts (${kib} KiB with the headers)` }
      : { status: 431, detail: `the request headers are larger than this service accepts (${kib} KiB)` };
  }
  const reason = error.message.replace(/^Parse Error:\s*/, '');
  return { status: 400, detail: `the request is not valid HTTP: ${reason}` };
}

/**
 * Node's HTTP parser and its request timeout reject some requests before Fastify sees them, and
 * would answer with a bare status line. This writes them as problem documents like every other
 * error, then closes the connection, which cannot be trusted to carry another request.
 */
export function clientErrorHandler(logger: FastifyBaseLogger, requestTimeoutMs: number): (error: ClientError, socket: Socket) => void {
  return (error, socket) => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const { status, detail } = describe(error, requestTimeoutMs);
    // Not the error itself: Node attaches the raw request bytes, Authorization header included.
    logger.debug({ code: error.code, reason: error.message, status }, 'client error');
    // Node's own handler checks this too: once a response has started, a second one would corrupt it.
    const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (!socket.writable || inFlight?.headersSent === true) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify(problemDocument(status, detail));
    const head = [
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Client Error'}`,
      'content-type: application/problem+json',
      `content-length: ${Buffer.byteLength(body)}`,
      'connection: close',
    ].join('\r\n');
    socket.end(`${head}\r\n\r\n${body}`, () => socket.destroy());
  };
}
