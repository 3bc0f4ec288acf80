import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpFetcher, type HttpFetcherOptions } from '../../src/adapters/fetch/http-fetcher.js';
import { redirectTarget } from '../../src/adapters/fetch/redirect-policy.js';
import { JobError } from '../../src/core/job-error.js';
import type { FetchRequest } from '../../src/core/resource-fetcher.js';
import { FixtureServer } from '../support/fixture-server.js';

const options: HttpFetcherOptions = {
  userAgent: 'ingestion-adapter/test (+tests@localhost)',
  connectTimeoutMs: 2_000,
  headersTimeoutMs: 5_000,
  bodyTimeoutMs: 5_000,
  totalTimeoutMs: 20_000,
  maxBodyBytes: 64 * 1024,
  maxRedirects: 3,
  budgetFor: () => ({ requestsPerMinute: 600_000, maxConcurrency: 8 }),
};

async function failureOf(promise: Promise<unknown>): Promise<JobError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof JobError) return error;
    throw error;
  }
  throw new Error('expected a JobError');
}

function bodyOf(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => resolve(text));
  });
}

describe('redirectTarget', () => {
  const from = (current: string, location: string, allowedHosts = ['example.org', 'cdn.example.org']) =>
    redirectTarget({ location, current: new URL(current), sentTo: new URL(current), allowedHosts, overrideOrigin: undefined });
  const refusal = (work: () => unknown) => {
    try {
      work();
    } catch (error) {
      if (error instanceof JobError) return error;
      throw error;
    }
    throw new Error('expected a refusal');
  };

  it('follows a same-scheme, default-port redirect to an allowed host', () => {
    expect(from('https://example.org/a', '/b?x=1').toString()).toBe('https://example.org/b?x=1');
    expect(from('https://example.org/a', 'https://cdn.example.org:443/c').toString()).toBe('https://cdn.example.org/c');
  });

  it('refuses a downgrade to http, a change of scheme and a hop to another port', () => {
    expect(refusal(() => from('https://example.org/a', 'http://example.org/a'))).toMatchObject({
      category: 'validation',
      code: 'REDIRECT_NOT_ALLOWED',
      retryable: false,
      message: expect.stringContaining('keeps the scheme') as unknown,
    });
    expect(refusal(() => from('http://example.org/a', 'https://example.org/a')).code).toBe('REDIRECT_NOT_ALLOWED');
    expect(refusal(() => from('https://example.org/a', 'https://example.org:9998/a'))).toMatchObject({
      code: 'REDIRECT_NOT_ALLOWED',
      message: expect.stringContaining('keeps the port (443), not 9998') as unknown,
    });
    expect(refusal(() => from('https://example.org/a', 'https://elsewhere.net/a')).message).toContain('elsewhere.net');
  });

  it('under an origin override, accepts only the override origin and keeps the intended host', () => {
    const under = (location: string) =>
      redirectTarget({
        location,
        current: new URL('https://example.org/a'),
        sentTo: new URL('http://127.0.0.1:8090/a'),
        allowedHosts: ['example.org'],
        overrideOrigin: 'http://127.0.0.1:8090',
      });
    expect(under('/b').toString()).toBe('https://example.org/b');
    expect(under('http://127.0.0.1:8090/c?p=2').toString()).toBe('https://example.org/c?p=2');
    for (const elsewhere of ['https://example.org/b', 'http://127.0.0.1:9998/b', 'http://localhost:8090/b']) {
      expect(refusal(() => under(elsewhere)).code).toBe('REDIRECT_NOT_ALLOWED');
    }
  });
});

describe('HttpFetcher redirects against loopback servers', () => {
  let home: FixtureServer;
  /** Another host (127.0.0.2) on the same port. */
  let other: FixtureServer;
  /** Another port on the same host. */
  let oddPort: FixtureServer;
  let fetcher: HttpFetcher;
  const signal = new AbortController().signal;
  const bodies = new Map<string, string>();
  const recordBody = (server: FixtureServer, path: string) =>
    server.route(path, (request, response) => {
      void bodyOf(request).then((text) => {
        bodies.set(`${server.origin}${path}`, text);
        response.writeHead(200, { 'content-type': 'text/plain' }).end('landed');
      });
    });
  const post = (path: string, allowedHosts: string[]): FetchRequest => ({
    resourceType: 't',
    resourceKey: path,
    method: 'POST',
    url: `${home.origin}${path}`,
    allowedHosts,
    headers: {
      'content-type': 'application/json',
      'x-csrf-token': 'token-for-home',
      'x-xsrf-token': 'xsrf-for-home',
      cookie: 'session=home-only',
      authorization: 'Bearer home-only',
    },
    body: '{"secret":"for home"}',
  });

  beforeAll(async () => {
    home = await new FixtureServer().start();
    other = await new FixtureServer().start({ host: '127.0.0.2', port: Number(new URL(home.origin).port) });
    oddPort = await new FixtureServer().start();
    fetcher = new HttpFetcher(options);
  });
  afterAll(async () => {
    await fetcher.close();
    await Promise.all([home.stop(), other.stop(), oddPort.stop()]);
  });

  it('on a redirect to another host drops the body, cookies, CSRF tokens and every header the pipeline set', async () => {
    home.route('/form', (_request, response) => response.writeHead(307, { location: `${other.origin}/landing` }).end());
    recordBody(other, '/landing');
    const response = await fetcher.fetch(post('/form', ['127.0.0.1', '127.0.0.2']), signal);
    expect(response).toMatchObject({ status: 200, finalUrl: `${other.origin}/landing` });
    const [arrived] = other.requestsTo('/landing');
    expect(arrived?.method).toBe('GET');
    expect(bodies.get(`${other.origin}/landing`)).toBe('');
    for (const header of ['cookie', 'authorization', 'x-csrf-token', 'x-xsrf-token', 'content-type']) {
      expect(arrived?.headers[header], header).toBeUndefined();
    }
    expect(arrived?.headers['user-agent']).toBe(options.userAgent);
  });

  it('on a 307 on the same host keeps the method, body and headers', async () => {
    home.route('/form-again', (_request, response) => response.writeHead(307, { location: '/kept' }).end());
    recordBody(home, '/kept');
    await fetcher.fetch(post('/form-again', ['127.0.0.1']), signal);
    const [arrived] = home.requestsTo('/kept');
    expect(arrived).toMatchObject({ method: 'POST', headers: { 'x-csrf-token': 'token-for-home', cookie: 'session=home-only' } });
    expect(bodies.get(`${home.origin}/kept`)).toBe('{"secret":"for home"}');
  });

  it('refuses a redirect to another port or another scheme, without requesting it', async () => {
    recordBody(oddPort, '/admin');
    home.route('/to-odd-port', (_request, response) => response.writeHead(302, { location: `${oddPort.origin}/admin` }).end());
    home.route('/to-https', (_request, response) => response.writeHead(302, { location: `${home.origin.replace('http:', 'https:')}/secure` }).end());
    const get = (path: string) =>
      fetcher.fetch({ resourceType: 't', resourceKey: path, method: 'GET', url: `${home.origin}${path}`, allowedHosts: ['127.0.0.1'] }, signal);
    expect(await failureOf(get('/to-odd-port'))).toMatchObject({ category: 'validation', code: 'REDIRECT_NOT_ALLOWED', retryable: false });
    expect(oddPort.requestsTo('/admin')).toEqual([]);
    expect(await failureOf(get('/to-https'))).toMatchObject({ category: 'validation', code: 'REDIRECT_NOT_ALLOWED', retryable: false });
  });

  it('with an origin override, follows redirects only within the override origin', async () => {
    const replayed = new HttpFetcher({ ...options, originOverride: (host) => (host === 'provider.test' ? home.origin : undefined) });
    try {
      home.route('/ov/start', (_request, response) => response.writeHead(302, { location: `${home.origin}/ov/middle` }).end());
      home.route('/ov/middle', (_request, response) => response.writeHead(301, { location: '/ov/end?page=2' }).end());
      home.route('/ov/end', (_request, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end('replayed'));
      const intended = (path: string): FetchRequest => ({
        resourceType: 't',
        resourceKey: path,
        method: 'GET',
        url: `https://provider.test${path}`,
        allowedHosts: ['provider.test', '127.0.0.1', '127.0.0.2'],
      });
      const response = await replayed.fetch(intended('/ov/start'), signal);
      expect(response).toMatchObject({ status: 200, finalUrl: 'https://provider.test/ov/end?page=2' });
      expect(home.requestsTo('/ov/end')[0]?.headers['x-forwarded-host']).toBe('provider.test');

      // Another host, even an allowed one on the same port, or the real provider: never requested.
      recordBody(other, '/ov/end');
      home.route('/ov/away', (_request, response) => response.writeHead(302, { location: `${other.origin}/ov/end` }).end());
      home.route('/ov/real', (_request, response) => response.writeHead(302, { location: 'https://provider.test/ov/end' }).end());
      for (const path of ['/ov/away', '/ov/real']) {
        expect(await failureOf(replayed.fetch(intended(path), signal))).toMatchObject({ category: 'validation', code: 'REDIRECT_NOT_ALLOWED', retryable: false });
      }
      expect(other.requestsTo('/ov/end')).toEqual([]);
    } finally {
      await replayed.close();
    }
  });
});
