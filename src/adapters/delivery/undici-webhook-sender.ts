import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, request } from 'undici';
import type { DeliveryResponse } from '../../core/webhooks/delivery-outcome.js';
import type { WebhookRequest, WebhookSender } from '../../core/webhooks/webhook-sender.js';
import { retryAfterMs } from '../../core/response-classification.js';
import { refusedAddressReason } from './target-address-policy.js';

/** The first bytes of an answer kept on the attempt row. */
export const EXCERPT_BYTES = 4_096;
/** More than this is not read: the connection is dropped instead (a receiver's answer is not our business). */
const MAX_READ_BYTES = 64 * 1024;

export interface UndiciWebhookSenderOptions {
  userAgent: string;
  connectTimeoutMs: number;
  /** The whole try: connect, request, and the answer read. */
  timeoutMs: number;
  /** Reach private, loopback and link-local addresses too (tests and local receivers). */
  allowPrivateTargets: boolean;
}

class TargetRefusedError extends Error {
  readonly code = 'WEBHOOK_TARGET_REFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'TargetRefusedError';
  }
}

/**
 * Resolves the host once and checks every address it names before the socket connects to one of
 * them: the address checked is the address connected to, so a name re-resolving to a private
 * address between check and connect (DNS rebinding) gains nothing.
 */
function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error !== null) {
        callback(error, '', 0);
        return;
      }
      const refusal = allowPrivate ? undefined : addresses.map((a) => refusedAddressReason(a.address)).find((r) => r !== undefined);
      if (refusal !== undefined) {
        callback(Object.assign(new TargetRefusedError(`${hostname} resolves to a refused address: ${refusal}`), { errno: undefined }), '', 0);
        return;
      }
      if (options.all === true) callback(null, addresses);
      else callback(null, addresses[0]?.address ?? '', addresses[0]?.family ?? 4);
    });
  };
}

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current !== undefined && current !== null && chain.length < 8; current = (current as { cause?: unknown }).cause) chain.push(current);
  return chain;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Sends webhooks with undici: no redirects followed, connect and total timeouts, checked targets, a read cap. */
export class UndiciWebhookSender implements WebhookSender {
  private readonly agent: Agent;

  constructor(private readonly options: UndiciWebhookSenderOptions) {
    this.agent = new Agent({
      connect: { timeout: options.connectTimeoutMs, lookup: guardedLookup(options.allowPrivateTargets) },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  }

  async send(input: WebhookRequest): Promise<DeliveryResponse> {
    let url: URL;
    try {
      url = new URL(input.url);
    } catch {
      return { kind: 'no_answer', reason: 'refused_target', message: 'the endpoint URL cannot be parsed' };
    }
    // An IP literal is connected to without a lookup, so it is checked here.
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0 && !this.options.allowPrivateTargets) {
      const reason = refusedAddressReason(host);
      if (reason !== undefined) return { kind: 'no_answer', reason: 'refused_target', message: `refused target: ${reason}` };
    }
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const signal = AbortSignal.any([input.signal, timeout]);
    try {
      const response = await request(url, {
        method: 'POST',
        dispatcher: this.agent,
        headers: { ...input.headers, 'content-type': 'application/json', 'user-agent': this.options.userAgent },
        body: input.body,
        signal,
      });
      const excerpt = await readExcerpt(response.body);
      const retryAfter = response.headers['retry-after'];
      return {
        kind: 'answered',
        status: response.statusCode,
        retryAfterMs: retryAfterMs(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, Date.now()),
        excerpt,
      };
    } catch (error) {
      const chain = causes(error);
      const refused = chain.find((e): e is TargetRefusedError => e instanceof TargetRefusedError);
      if (refused !== undefined) return { kind: 'no_answer', reason: 'refused_target', message: refused.message };
      const timedOut =
        timeout.aborted ||
        chain.some((e) => e instanceof Error && /Timeout/i.test(`${e.name} ${(e as { code?: string }).code ?? ''}`));
      if (timedOut) return { kind: 'no_answer', reason: 'timeout', message: `no answer within ${this.options.timeoutMs} ms: ${describe(error)}` };
      return { kind: 'no_answer', reason: 'network', message: describe(error) };
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

/** The answer's first bytes as text; past the read cap the rest is dropped with the connection. */
async function readExcerpt(body: AsyncIterable<Uint8Array> & { destroy(): unknown }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size < EXCERPT_BYTES) chunks.push(Buffer.from(chunk));
    size += chunk.byteLength;
    if (size > MAX_READ_BYTES) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8');
}
