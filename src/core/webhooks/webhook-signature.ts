import { createHmac } from 'node:crypto';
import { parseSecret } from './webhook-secret.js';

/** The three headers of a Standard Webhooks delivery. */
export interface WebhookSignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Signs `body` as the Standard Webhooks specification says: HMAC-SHA256 with each secret's decoded
 * bytes over `id.timestamp.body`, each signature `v1,<base64>`, space-separated. During a rotation
 * both the current and the previous secret sign, so a receiver holding either one verifies.
 */
export function signWebhook(input: { id: string; timestampSec: number; body: string; secrets: readonly string[] }): WebhookSignatureHeaders {
  const timestamp = String(Math.floor(input.timestampSec));
  const signed = `${input.id}.${timestamp}.${input.body}`;
  const signatures = input.secrets.map((secret) => {
    const parsed = parseSecret(secret);
    if (!parsed.ok) throw new Error(`a stored webhook secret is unusable: it ${parsed.message}`);
    return `v1,${createHmac('sha256', parsed.key).update(signed, 'utf8').digest('base64')}`;
  });
  if (signatures.length === 0) throw new Error('a webhook needs at least one secret to be signed');
  return { 'webhook-id': input.id, 'webhook-timestamp': timestamp, 'webhook-signature': signatures.join(' ') };
}
