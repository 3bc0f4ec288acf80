import { Agent, errors as undiciErrors, request, type Dispatcher } from 'undici';
import type { FetchOutcome } from '../../core/ingest-metrics.js';
import { JobError } from '../../core/job-error.js';
import { isHostAllowed } from '../../core/pipeline.js';
import { retryAfterMs } from '../../core/response-classification.js';
import { IncompleteResponseError, type FetchHooks, type FetchRequest, type FetchResponse, type ResourceFetcher } from '../../core/resource-fetcher.js';
import { FetchDeadline } from './fetch-deadline.js';
import { outcomeOfError, outcomeOfStatus } from './fetch-outcome.js';
import type { HostBudget } from './host-throttle.js';
import { HostThrottle } from './host-throttle.js';
import { redirectTarget } from './redirect-policy.js';

export interface HttpFetcherOptions {
  /** Sent on every request; carries a contact address so a source can reach us. */
  userAgent: string;
  connectTimeoutMs: number;
  /** Until the response headers arrive. */
  headersTimeoutMs: number;
  /** Between body chunks. */
  bodyTimeoutMs: number;
  /** The whole fetch, redirects included, from the moment the first request is sent. */
  totalTimeoutMs: number;
  maxBodyBytes: number;
  maxRedirects: number;
  budgetFor: (host: string) => HostBudget;
  /**
   * Sends every request to this origin instead, keeping path and query, with the intended host in
   * X-Forwarded-Host (replay servers in tests and demos). The allowlist is checked on the intended host.
   */
  originOverride?: (intendedHost: string) => string | undefined;
  /**
   * Told how each fetch ended: the intended host (`other` for one off the allowlist), the outcome, and
   * the seconds from the first request sent (the politeness wait before it is not counted).
   */
  observe?: (host: string, outcome: FetchOutcome, seconds: number) => void;
}

/** One request of a redirect chain: the URL it means and what it carries. */
interface Hop {
  url: URL;
  method: 'GET' | 'POST';
  body: string | undefined;
  /** The pipeline's own request headers (CSRF tokens, cookies, content type); dropped on leaving the host. */
  headers: Record<string, string>;
}

const KEPT_HEADERS = ['etag', 'last-modified', 'content-type', 'retry-after', 'cf-mitigated'] as const;

/** undici with timeouts, a body cap, checked redirects and per-host politeness. */
export class HttpFetcher implements ResourceFetcher {
  private readonly agent: Agent;
  private readonly throttle: HostThrottle;

  constructor(private readonly options: HttpFetcherOptions) {
    this.agent = new Agent({
      connect: { timeout: options.connectTimeoutMs },
      headersTimeout: options.headersTimeoutMs,
      bodyTimeout: options.bodyTimeoutMs,
    });
    this.throttle = new HostThrottle(options.budgetFor);
  }

  async fetch(input: FetchRequest, signal: AbortSignal, hooks: FetchHooks = {}): Promise<FetchResponse> {
    const url = parseUrl(input.url);
    const deadline = new FetchDeadline(this.options.totalTimeoutMs, url.hostname, signal);
    try {
      const response = await this.follow(url, input, deadline, hooks);
      this.observed(url, input, outcomeOfStatus(response.status), deadline);
      return response;
    } catch (error) {
      this.observed(url, input, outcomeOfError(error), deadline);
      throw error;
    } finally {
      deadline.clear();
    }
  }

  private observed(url: URL, input: FetchRequest, outcome: FetchOutcome, deadline: FetchDeadline): void {
    if (this.options.observe === undefined) return;
    // The label's values stay the allowlisted hosts, whatever a refused request named.
    const host = isHostAllowed(url.hostname, input.allowedHosts) ? url.hostname : 'other';
    const seconds = deadline.startedAt === undefined ? 0 : (performance.now() - deadline.startedAt) / 1000;
    this.options.observe(host, outcome, seconds);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private async follow(start: URL, input: FetchRequest, deadline: FetchDeadline, hooks: FetchHooks): Promise<FetchResponse> {
    if (!isHostAllowed(start.hostname, input.allowedHosts)) {
      throw new JobError('validation', 'HOST_NOT_ALLOWED', `request to ${start.hostname} refused: not on this pipeline's host allowlist`, { retryable: false });
    }
    // Decided once: under an override every hop goes to the override origin, and only there.
    const overrideOrigin = this.options.originOverride?.(start.hostname);
    let hop: Hop = { url: start, method: input.method, body: input.body, headers: input.headers ?? {} };
    for (let redirects = 0; ; redirects++) {
      const sentTo = overrideOrigin === undefined ? hop.url : new URL(`${hop.url.pathname}${hop.url.search}`, overrideOrigin);
      const response = await this.once(hop, sentTo, overrideOrigin !== undefined, input, deadline, hooks);
      const location = response.headers.location;
      if (response.statusCode >= 300 && response.statusCode < 400 && response.statusCode !== 304 && typeof location === 'string') {
        response.body.dump().catch(() => undefined);
        if (redirects >= this.options.maxRedirects) {
          throw new JobError('http_status', 'TOO_MANY_REDIRECTS', `more than ${this.options.maxRedirects} redirects from ${input.url}`, { retryable: false });
        }
        const url = redirectTarget({ location, current: hop.url, sentTo, allowedHosts: input.allowedHosts, overrideOrigin });
        const status = response.statusCode;
        if (url.hostname !== hop.url.hostname) {
          // Another host gets none of what this request carried: no body, no cookies, CSRF tokens
          // or other headers the pipeline set; for the rest of the chain.
          hop = { url, method: 'GET', body: undefined, headers: {} };
        } else if (status === 303 || ((status === 301 || status === 302) && hop.method === 'POST')) {
          hop = { ...hop, url, method: 'GET', body: undefined };
        } else {
          hop = { ...hop, url };
        }
        continue;
      }
      const head = { status: response.statusCode, finalUrl: hop.url.toString(), headers: keptHeaders(response.headers) };
      return { ...head, body: await this.readBody(response, hop.url, deadline, head) };
    }
  }

  private async once(
    hop: Hop,
    sentTo: URL,
    overridden: boolean,
    input: FetchRequest,
    deadline: FetchDeadline,
    hooks: FetchHooks,
  ): Promise<Dispatcher.ResponseData> {
    const { signal } = deadline;
    const { url, method, body } = hop;
    const turn = this.throttle.acquire(url.hostname, signal);
    const release = await (hooks.waitingForTurn === undefined ? turn : hooks.waitingForTurn(turn));
    deadline.start();
    const headers: Record<string, string> = {
      'user-agent': this.options.userAgent,
      accept: 'text/html,application/json;q=0.9,*/*;q=0.8',
      'accept-encoding': 'identity',
      ...(overridden ? { 'x-forwarded-host': url.host } : {}),
      ...(input.conditional?.etag ? { 'if-none-match': input.conditional.etag } : {}),
      ...(input.conditional?.lastModified ? { 'if-modified-since': input.conditional.lastModified } : {}),
      ...hop.headers,
    };
    try {
      const response = await request(sentTo, { method, headers, body, signal, dispatcher: this.agent });
      if (response.statusCode === 429) {
        const wait = retryAfterMs(single(response.headers['retry-after']), Date.now());
        if (wait !== undefined) this.throttle.pause(url.hostname, Date.now() + wait);
      }
      return response;
    } catch (error) {
      throw classifyTransportError(error, url, deadline);
    } finally {
      release();
    }
  }

  /** The body, capped; cut off by the deadline, the bytes so far travel in an IncompleteResponseError. */
  private async readBody(
    response: Dispatcher.ResponseData,
    url: URL,
    deadline: FetchDeadline,
    head: Omit<FetchResponse, 'body'>,
  ): Promise<Uint8Array> {
    const declared = Number(single(response.headers['content-length']));
    if (Number.isFinite(declared) && declared > this.options.maxBodyBytes) {
      discard(response);
      throw tooLarge(url, this.options.maxBodyBytes);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body) {
        const bytes = chunk as Buffer;
        size += bytes.byteLength;
        if (size > this.options.maxBodyBytes) {
          discard(response);
          throw tooLarge(url, this.options.maxBodyBytes);
        }
        chunks.push(bytes);
      }
    } catch (error) {
      // undici ends the body with the abort reason, the deadline's own JobError: checked first.
      const cut = deadline.exceeded();
      if (cut !== undefined) throw new IncompleteResponseError(cut, { ...head, body: new Uint8Array(Buffer.concat(chunks)) });
      if (error instanceof JobError) throw error;
      throw classifyTransportError(error, url, deadline);
    }
    return new Uint8Array(Buffer.concat(chunks));
  }
}

/** Drops the rest of a body; the abort that follows is expected, not an error to report. */
function discard(response: Dispatcher.ResponseData): void {
  response.body.on('error', () => undefined);
  response.body.destroy();
}

function tooLarge(url: URL, max: number): JobError {
  return new JobError('validation', 'RESPONSE_TOO_LARGE', `the response from ${url.hostname} is larger than the ${max}-byte limit`, { retryable: false });
}

function parseUrl(value: string): URL {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {
    // reported below
  }
  throw new JobError('validation', 'BAD_URL', `not an http(s) URL: ${value}`, { retryable: false });
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function keptHeaders(headers: Record<string, string | string[] | undefined>): FetchResponse['headers'] {
  const kept: FetchResponse['headers'] = {};
  for (const name of KEPT_HEADERS) {
    const value = single(headers[name]);
    if (value !== undefined) kept[name] = value;
  }
  return kept;
}

/** A failure below HTTP: the job's abort, the total deadline, an idle timeout, or the network. */
function classifyTransportError(error: unknown, url: URL, deadline: FetchDeadline): Error {
  const { signal } = deadline;
  if (signal.aborted && signal.reason instanceof Error) return signal.reason;
  if (error instanceof JobError) return error;
  if (
    error instanceof undiciErrors.ConnectTimeoutError ||
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError
  ) {
    return new JobError('timeout', error.code, `${url.hostname} did not answer in time (${error.message})`, { cause: error });
  }
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error).code) : 'NETWORK_ERROR';
  const message = error instanceof Error ? error.message : String(error);
  return new JobError('network', code, `fetching ${url.hostname} failed: ${message}`, { cause: error });
}
