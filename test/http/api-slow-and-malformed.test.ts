import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait-for.js';
import { startApiHarness, TOKEN, type ApiHarness } from './api-harness.js';

let api: ApiHarness;
let port: number;

beforeAll(async () => {
  api = await startApiHarness({ HTTP_REQUEST_TIMEOUT_SEC: '1', LOG_LEVEL: 'debug' });
  await api.app.listen({ host: '127.0.0.1', port: 0 });
  port = (api.app.server.address() as AddressInfo).port;
});
afterAll(() => api.close());

interface RawExchange {
  /** Everything the server sent before the connection closed. */
  response: Promise<string>;
  write(data: string): void;
  closed(): boolean;
}

function open(): RawExchange {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  let isClosed = false;
  const response = new Promise<string>((resolve) => {
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    // A reset after the answer is fine: what was read is what the client saw.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      isClosed = true;
      resolve(received);
    });
  });
  return { response, write: (data) => socket.write(data), closed: () => isClosed };
}

function parse(raw: string): { status: number; headers: Record<string, string>; body: Record<string, unknown> } {
  const split = raw.indexOf('\r\n\r\n');
  const [statusLine, ...headerLines] = raw.slice(0, split).split('\r\n');
  const headers = Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  return { status: Number(/^HTTP\/1\.1 (\d{3}) /.exec(statusLine ?? '')?.[1]), headers, body: JSON.parse(raw.slice(split + 4)) as Record<string, unknown> };
}

/** Sends `first`, then one byte every 100 ms until the server closes the connection. */
async function trickle(first: string, byte: string): Promise<string> {
  const exchange = open();
  exchange.write(first);
  const timer = setInterval(() => {
    if (!exchange.closed()) exchange.write(byte);
  }, 100);
  try {
    await waitFor('the server to close the trickling connection', () => exchange.closed(), 20_000);
    return await exchange.response;
  } finally {
    clearInterval(timer);
  }
}

describe('slow clients', () => {
  it('a body trickled byte by byte is cut off with a 408 problem', async () => {
    const head =
      'POST /internal/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
      `Authorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`;
    const answer = parse(await trickle(head, ' '));
    expect(answer.status).toBe(408);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.body).toMatchObject({ status: 408, title: 'Request Timeout' });
    expect(answer.body.detail).toMatch(/within 1 s/);
  });

  it('headers trickled byte by byte are cut off too', async () => {
    const answer = parse(await trickle('GET /internal/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ', 'a'));
    expect(answer.status).toBe(408);
    expect(answer.headers['content-type']).toBe('application/problem+json');
  });
});

describe("requests Node's parser rejects", () => {
  async function send(request: string): Promise<ReturnType<typeof parse>> {
    const exchange = open();
    exchange.write(request);
    return parse(await exchange.response);
  }

  it('a malformed request line: 400 problem', async () => {
    const answer = await send('GARBAGE\r\n\r\n');
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.body).toMatchObject({ status: 400, title: 'Bad Request', detail: expect.stringMatching(/not valid HTTP/) as unknown });
  });

  it('a URL beyond the header size limit: 414 problem', async () => {
    const answer = await send(`GET /internal/v1/jobs?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    expect(answer.status).toBe(414);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.body).toMatchObject({ status: 414, title: 'URI Too Long' });
  });

  it('headers beyond the limit: 431 problem, and the token in them never reaches the log', async () => {
    const answer = await send(
      `GET /internal/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
    );
    expect(answer.status).toBe(431);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.body).toMatchObject({ status: 431, title: 'Request Header Fields Too Large' });
    // At debug the rejection is logged; the request's bytes (as text, or as a serialized Buffer) are not.
    await waitFor('the rejection to be logged', () => api.rawLogs.some((line) => line.includes('"client error"') && line.includes('HPE_HEADER_OVERFLOW')));
    const tokenBytes = [...Buffer.from(TOKEN)].join(',');
    expect(api.rawLogs.join('')).not.toContain(TOKEN);
    expect(api.rawLogs.join('')).not.toContain(tokenBytes);
  });

  it('a well-formed request on the same server still works', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/internal/v1/health/live`);
    expect(response.status).toBe(200);
  });
});
