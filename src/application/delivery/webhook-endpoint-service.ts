import type { FieldProblem } from '../field-problem.js';
import { judgeDelivery, type DeliveryOutcome } from '../../core/webhooks/delivery-outcome.js';
import { testPayload } from '../../core/webhooks/webhook-payload.js';
import type { WebhookEndpoint, WebhookEndpointSettings, WebhookRepository } from '../../core/webhooks/webhook-repository.js';
import { formatSecret, GENERATED_SECRET_BYTES, parseSecret } from '../../core/webhooks/webhook-secret.js';
import type { WebhookSender } from '../../core/webhooks/webhook-sender.js';
import { signWebhook } from '../../core/webhooks/webhook-signature.js';
import { signingSecrets } from './webhook-delivery-handler.js';

export interface EndpointInput {
  url: string;
  description?: string;
  pipelines?: string[] | null;
  enabled?: boolean;
  ordered?: boolean;
}

export type EndpointOutcome =
  | { ok: true; endpoint: WebhookEndpoint; secret?: string }
  | { ok: false; reason: 'invalid'; problems: FieldProblem[] }
  | { ok: false; reason: 'not_found' };

export interface TestSendResult {
  outcome: DeliveryOutcome;
  statusCode: number | null;
  latencyMs: number;
  responseExcerpt: string | null;
  error: string | null;
}

export interface WebhookEndpointServiceOptions {
  /** Pipelines an endpoint may filter on. */
  pipelines: () => readonly string[];
  previousSecretValidMs: number;
  randomBytes: (size: number) => Uint8Array;
  sender: WebhookSender;
  now?: () => Date;
  monotonicMs?: () => number;
}

/** Checks a URL an endpoint may be registered with: http(s), no credentials, no fragment. */
function urlProblems(url: string): FieldProblem[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [{ field: 'body.url', message: 'must be an absolute http(s) URL' }];
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return [{ field: 'body.url', message: 'must be an http(s) URL' }];
  if (parsed.username !== '' || parsed.password !== '') return [{ field: 'body.url', message: 'must not carry credentials; the signature authenticates deliveries' }];
  if (parsed.hash !== '') return [{ field: 'body.url', message: 'must not have a fragment' }];
  return [];
}

/**
 * Registering, changing and rotating webhook endpoints, and test sends. A secret is generated when
 * none is given, and returned by create and rotate only: nothing reads it back afterwards.
 */
export class WebhookEndpointService {
  private readonly now: () => Date;
  private readonly monotonicMs: () => number;

  constructor(
    private readonly webhooks: WebhookRepository,
    private readonly options: WebhookEndpointServiceOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.monotonicMs = options.monotonicMs ?? (() => performance.now());
  }

  async create(input: EndpointInput & { secret?: string }): Promise<EndpointOutcome> {
    const problems = [...this.settingsProblems(input), ...secretProblems(input.secret)];
    if (problems.length > 0) return { ok: false, reason: 'invalid', problems };
    const secret = input.secret ?? this.generateSecret();
    const endpoint = await this.webhooks.createEndpoint(settingsOf(input), secret);
    return { ok: true, endpoint, secret };
  }

  /** Fields left out keep their value. */
  async update(id: string, change: Partial<EndpointInput>): Promise<EndpointOutcome> {
    const current = await this.webhooks.getEndpoint(id);
    if (current === null) return { ok: false, reason: 'not_found' };
    const merged: EndpointInput = {
      url: change.url ?? current.url,
      description: change.description ?? current.description,
      pipelines: change.pipelines === undefined ? current.pipelines : change.pipelines,
      enabled: change.enabled ?? current.enabled,
      ordered: change.ordered ?? current.ordered,
    };
    const problems = this.settingsProblems(merged);
    if (problems.length > 0) return { ok: false, reason: 'invalid', problems };
    const endpoint = await this.webhooks.updateEndpoint(id, settingsOf(merged));
    return endpoint === null ? { ok: false, reason: 'not_found' } : { ok: true, endpoint };
  }

  async rotate(id: string, request: { secret?: string; previousValidSeconds?: number }): Promise<EndpointOutcome> {
    const problems = secretProblems(request.secret);
    if (problems.length > 0) return { ok: false, reason: 'invalid', problems };
    const secret = request.secret ?? this.generateSecret();
    const validMs = request.previousValidSeconds === undefined ? this.options.previousSecretValidMs : request.previousValidSeconds * 1000;
    const endpoint = await this.webhooks.rotateSecret(id, secret, validMs);
    return endpoint === null ? { ok: false, reason: 'not_found' } : { ok: true, endpoint, secret };
  }

  /** Sends a signed `webhook.test` event now, outside the queue, and says what came back; nothing is stored. */
  async testSend(id: string, signal: AbortSignal): Promise<{ ok: true; result: TestSendResult } | { ok: false; reason: 'not_found' }> {
    const endpoint = await this.webhooks.getEndpoint(id);
    if (endpoint === null) return { ok: false, reason: 'not_found' };
    const at = this.now();
    const body = testPayload(endpoint.id, at);
    const messageId = `test_${Buffer.from(this.options.randomBytes(12)).toString('hex')}`;
    const headers = signWebhook({ id: messageId, timestampSec: at.getTime() / 1000, body, secrets: signingSecrets(endpoint, at) });
    const started = this.monotonicMs();
    const response = await this.options.sender.send({ url: endpoint.url, headers: { ...headers }, body, signal });
    const verdict = judgeDelivery(response);
    return {
      ok: true,
      result: {
        outcome: verdict.outcome,
        statusCode: response.kind === 'answered' ? response.status : null,
        latencyMs: Math.max(0, Math.round(this.monotonicMs() - started)),
        responseExcerpt: response.kind === 'answered' ? response.excerpt : null,
        error: verdict.error ?? null,
      },
    };
  }

  private generateSecret(): string {
    return formatSecret(this.options.randomBytes(GENERATED_SECRET_BYTES));
  }

  private settingsProblems(input: EndpointInput): FieldProblem[] {
    const problems = urlProblems(input.url);
    const known = new Set(this.options.pipelines());
    for (const [i, pipeline] of (input.pipelines ?? []).entries()) {
      if (!known.has(pipeline)) problems.push({ field: `body.pipelines.${i}`, message: `unknown pipeline "${pipeline}"; known: ${[...known].sort().join(', ')}` });
    }
    return problems;
  }
}

function secretProblems(secret: string | undefined): FieldProblem[] {
  if (secret === undefined) return [];
  const parsed = parseSecret(secret);
  return parsed.ok ? [] : [{ field: 'body.secret', message: parsed.message }];
}

function settingsOf(input: EndpointInput): WebhookEndpointSettings {
  return {
    url: input.url,
    description: input.description ?? '',
    pipelines: input.pipelines === undefined || input.pipelines === null ? null : [...new Set(input.pipelines)],
    enabled: input.enabled ?? true,
    ordered: input.ordered ?? false,
  };
}
