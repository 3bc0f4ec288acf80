import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostThrottle } from '../../src/adapters/fetch/host-throttle.js';
import { HttpFetcher } from '../../src/adapters/fetch/http-fetcher.js';
import { JobError } from '../../src/core/job-error.js';
import { IncompleteResponseError } from '../../src/core/resource-fetcher.js';
import { FixtureServer } from '../support/fixture-server.js';

describe('HttpFetcher against a loopback server', () => {
  let server: FixtureServer;
  let fetcher: HttpFetcher;
  const signal = new AbortController().signal;
  const get = (path: string, extra: { allowedHosts?: string[] } = {}) =>
    fetcher.fetch({ resourceType: 't', resourceKey: path, method: 'GET', url: `${server.origin}${path}`, allowedHosts: extra.allowedHosts ?? ['127.0.0.1'] }, signal);
  const failureOf = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      if (error instanceof JobError) return error;
      throw error;
    }
    throw new Error('expected a JobError');
  };

  beforeAll(async () => {
    server = await new FixtureServer().start();
    fetcher = new HttpFetcher({
      userAgent: 'ingestion-adapter/test (+tests@localhost)',
      connectTimeoutMs: 500,
      headersTimeoutMs: 300,
      bodyTimeoutMs: 300,
      totalTimeoutMs: 10_000,
      maxBodyBytes: 1024,
      maxRedirects: 2,
      budgetFor: () => ({ requestsPerMinute: 600_000, maxConcurrency: 8 }),
    });
  });
  afterAll(async () => {
    await fetcher.close();
    await server.stop();
  });

  it('follows a redirect on an allowed host and reports where it ended', async () => {
    server.route('/moved', (_req, res) => res.writeHead(301, { location: '/here' }).end());
    server.route('/here', (_req, res) => res.writeHead(200, { 'content-type': 'text/plain', etag: '"e1"' }).end('arrived'));
    const response = await get('/moved');
    expect(response).toMatchObject({ status: 200, finalUrl: `${server.origin}/here`, headers: { etag: '"e1"', 'content-type': 'text/plain' } });
    expect(Buffer.from(response.body).toString()).toBe('arrived');
  });

  it('stops after the redirect cap', async () => {
    server.route('/loop', (_req, res) => res.writeHead(302, { location: '/loop' }).end());
    expect(await failureOf(get('/loop'))).toMatchObject({ code: 'TOO_MANY_REDIRECTS', retryable: false });
  });

  it('refuses a host that is not allowed before connecting', async () => {
    expect(await failureOf(get('/here', { allowedHosts: ['example.org'] }))).toMatchObject({ category: 'validation', code: 'HOST_NOT_ALLOWED' });
  });

  it('times out a server that never answers, as a retryable timeout', async () => {
    server.route('/silent', () => undefined);
    expect(await failureOf(get('/silent'))).toMatchObject({ category: 'timeout', retryable: true });
  });

  it('cuts off a body over the limit, declared or streamed', async () => {
    server.route('/declared', (_req, res) => res.writeHead(200, { 'content-length': '5000' }).end('x'.repeat(5000)));
    server.route('/streamed', (_req, res) => {
      res.writeHead(200);
      res.write('y'.repeat(800));
      res.end('y'.repeat(800));
    });
    for (const path of ['/declared', '/streamed']) {
      expect(await failureOf(get(path))).toMatchObject({ category: 'validation', code: 'RESPONSE_TOO_LARGE', retryable: false });
    }
  });

  it('reports a refused connection as a retryable network failure', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const failure = await failureOf(
      fetcher.fetch({ resourceType: 't', resourceKey: 'x', method: 'GET', url: `http://127.0.0.1:${closed}/`, allowedHosts: ['127.0.0.1'] }, signal),
    );
    expect(failure).toMatchObject({ category: 'network', retryable: true });
  });

  it('sends conditional headers and the contact User-Agent', async () => {
    server.route('/conditional', (req, res) => res.writeHead(req.headers['if-none-match'] === '"v7"' ? 304 : 200).end());
    const response = await fetcher.fetch(
      { resourceType: 't', resourceKey: 'c', method: 'GET', url: `${server.origin}/conditional`, allowedHosts: ['127.0.0.1'], conditional: { etag: '"v7"', lastModified: null } },
      signal,
    );
    expect(response.status).toBe(304);
    expect(server.requestsTo('/conditional')[0]?.headers['user-agent']).toBe('ingestion-adapter/test (+tests@localhost)');
  });
});

describe('HttpFetcher total deadline', () => {
  let server: FixtureServer;
  let fetcher: HttpFetcher;
  const request = (path: string) => ({ resourceType: 't', resourceKey: path, method: 'GET' as const, url: `${server.origin}${path}`, allowedHosts: ['127.0.0.1'] });
  const rejectionOf = async (promise: Promise<unknown>): Promise<unknown> => {
    try {
      await promise;
    } catch (error) {
      return error;
    }
    throw new Error('expected the fetch to fail');
  };

  beforeAll(async () => {
    server = await new FixtureServer().start();
    // Idle timeouts far above the trickle's pace, so only the total deadline can end it.
    fetcher = new HttpFetcher({
      userAgent: 'ingestion-adapter/test (+tests@localhost)',
      connectTimeoutMs: 1_000,
      headersTimeoutMs: 30_000,
      bodyTimeoutMs: 30_000,
      totalTimeoutMs: 1_000,
      maxBodyBytes: 1024 * 1024,
      maxRedirects: 2,
      budgetFor: () => ({ requestsPerMinute: 600_000, maxConcurrency: 8 }),
    });
    // Headers and a first chunk at once, then one byte every 200 ms for a minute.
    server.route('/trickle', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', etag: '"t1"' });
      res.write('partial:');
      const timer = setInterval(() => res.write('.'), 200);
      res.on('close', () => clearInterval(timer));
      setTimeout(() => res.end(), 60_000).unref();
    });
    server.route('/silent', () => undefined);
  });
  afterAll(async () => {
    await fetcher.close();
    await server.stop();
  });

  it('cuts off a trickling body as a retryable timeout, handing over the bytes received', async () => {
    const failure = await rejectionOf(fetcher.fetch(request('/trickle'), new AbortController().signal));
    expect(failure).toBeInstanceOf(IncompleteResponseError);
    expect(failure).toMatchObject({ category: 'timeout', code: 'FETCH_DEADLINE_EXCEEDED', retryable: true });
    const { partial } = failure as IncompleteResponseError;
    expect(partial).toMatchObject({ status: 200, finalUrl: `${server.origin}/trickle`, headers: { etag: '"t1"', 'content-type': 'text/plain' } });
    expect(Buffer.from(partial.body).toString()).toMatch(/^partial:\.*$/);
  });

  it('times out a server that never answers as a plain retryable timeout, with nothing to keep', async () => {
    const failure = await rejectionOf(fetcher.fetch(request('/silent'), new AbortController().signal));
    expect(failure).toBeInstanceOf(JobError);
    expect(failure).not.toBeInstanceOf(IncompleteResponseError);
    expect(failure).toMatchObject({ category: 'timeout', code: 'FETCH_DEADLINE_EXCEEDED', retryable: true });
  });

  it("reports the job's own abort, not the deadline, when the job is what stopped", async () => {
    const job = new AbortController();
    const cancelled = new JobError('cancelled', 'JOB_CANCELLED', 'cancelled by an operator');
    setTimeout(() => job.abort(cancelled), 100);
    expect(await rejectionOf(fetcher.fetch(request('/trickle'), job.signal))).toBe(cancelled);
  });
});

describe('HostThrottle', () => {
  it('never lets more than the budget run at once on one host', async () => {
    const throttle = new HostThrottle(() => ({ maxConcurrency: 2, requestsPerMinute: 600_000 }));
    let active = 0;
    let peak = 0;
    const signal = new AbortController().signal;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        const release = await throttle.acquire('a.example', signal);
        active++;
        peak = Math.max(peak, active);
        await new Promise((resolve) => setTimeout(resolve, 5));
        active--;
        release();
      }),
    );
    expect(peak).toBe(2);
  });

  it('spaces request starts to the per-minute budget and honours a short pause', async () => {
    const clock = 1_000_000;
    const throttle = new HostThrottle(() => ({ maxConcurrency: 10, requestsPerMinute: 1_200 }), () => clock);
    const signal = new AbortController().signal;
    (await throttle.acquire('b.example', signal))();
    const started = Date.now();
    // The next start is due 50 ms (60,000 / 1,200) after the first.
    (await throttle.acquire('b.example', signal))();
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    throttle.pause('b.example', clock + 2_000);
    const waiting = new AbortController();
    const pending = throttle.acquire('b.example', waiting.signal);
    waiting.abort(new Error('gave up'));
    await expect(pending).rejects.toThrow('gave up');
  });

  it('refuses at once, with the rest of the pause, a request meeting a long pause, also one queued for a slot', async () => {
    let clock = 1_000_000;
    const throttle = new HostThrottle(() => ({ maxConcurrency: 1, requestsPerMinute: 600_000 }), () => clock);
    const signal = new AbortController().signal;
    const held = await throttle.acquire('c.example', signal);
    const queued = throttle.acquire('c.example', signal);
    const queuedBehind = throttle.acquire('c.example', signal);
    throttle.pause('c.example', clock + 3_600_000);
    await expect(throttle.acquire('c.example', signal)).rejects.toMatchObject({ code: 'HOST_PAUSED', retryable: true, retryAfterMs: 3_600_000 });
    held();
    await expect(queued).rejects.toMatchObject({ code: 'HOST_PAUSED', retryAfterMs: 3_600_000 });
    await expect(queuedBehind).rejects.toMatchObject({ code: 'HOST_PAUSED' });
    clock += 3_600_000;
    (await throttle.acquire('c.example', signal))();
  });

  it('refuses a request already waiting for its paced start when a long pause begins', async () => {
    const throttle = new HostThrottle(() => ({ maxConcurrency: 10, requestsPerMinute: 60 }));
    const signal = new AbortController().signal;
    (await throttle.acquire('d.example', signal))();
    // Due a second after the first; the pause arrives while it waits.
    const pacing = throttle.acquire('d.example', signal);
    throttle.pause('d.example', Date.now() + 3_600_000);
    await expect(pacing).rejects.toMatchObject({ code: 'HOST_PAUSED', retryable: true });
  });
});

describe('HttpFetcher after a 429 with a long Retry-After', () => {
  let server: FixtureServer;
  let fetcher: HttpFetcher;
  const request = (path: string) => ({ resourceType: 't', resourceKey: path, method: 'GET' as const, url: `${server.origin}${path}`, allowedHosts: ['127.0.0.1'] });

  beforeAll(async () => {
    server = await new FixtureServer().start();
    fetcher = new HttpFetcher({
      userAgent: 'ingestion-adapter/test (+tests@localhost)',
      connectTimeoutMs: 1_000,
      headersTimeoutMs: 5_000,
      bodyTimeoutMs: 5_000,
      totalTimeoutMs: 10_000,
      maxBodyBytes: 1024,
      maxRedirects: 2,
      budgetFor: () => ({ requestsPerMinute: 600_000, maxConcurrency: 8 }),
    });
    server.route('/limited', (_req, res) => res.writeHead(429, { 'retry-after': '3600', 'content-type': 'text/plain' }).end('slow down'));
    server.json('/other', { ok: true });
  });
  afterAll(async () => {
    await fetcher.close();
    await server.stop();
  });

  it('fails the next fetch to that host at once as retryable HOST_PAUSED, asking to come back after the pause', async () => {
    const signal = new AbortController().signal;
    expect((await fetcher.fetch(request('/limited'), signal)).status).toBe(429);
    const before = Date.now();
    let failure: unknown;
    try {
      await fetcher.fetch(request('/other'), signal);
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(JobError);
    expect(failure).toMatchObject({ category: 'http_status', code: 'HOST_PAUSED', retryable: true });
    // The pause ends an hour after the 429; what is left of it is at least the hour less the time since.
    expect((failure as JobError).retryAfterMs).toBeGreaterThan(3_600_000 - (Date.now() - before) - 60_000);
    expect(server.requestsTo('/other')).toHaveLength(0);
  });
});
