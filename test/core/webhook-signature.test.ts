import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { WEBHOOK_MAX_TRIES, WEBHOOK_RETRY_SCHEDULE_MS, webhookRetryDelayMs } from '../../src/core/webhooks/retry-schedule.js';
import { formatSecret, parseSecret } from '../../src/core/webhooks/webhook-secret.js';
import { signWebhook } from '../../src/core/webhooks/webhook-signature.js';

const secret = formatSecret(Buffer.alloc(32, 1));
const otherSecret = formatSecret(Buffer.alloc(32, 2));
const body = JSON.stringify({ type: 'publication.created', data: { event_id: 'evt_1', version: 3 } });
const nowSec = () => Math.floor(Date.now() / 1000);

describe('Standard Webhooks signatures', () => {
  it('verify with the standardwebhooks package', () => {
    const headers = signWebhook({ id: 'evt_1', timestampSec: nowSec(), body, secrets: [secret] });
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it('fail for a tampered body, a wrong secret and a stale timestamp', () => {
    const headers = { ...signWebhook({ id: 'evt_1', timestampSec: nowSec(), body, secrets: [secret] }) };
    expect(() => new Webhook(secret).verify(body.replace('3', '4'), headers)).toThrow();
    expect(() => new Webhook(otherSecret).verify(body, headers)).toThrow();
    expect(() => new Webhook(secret).verify(body, { ...headers, 'webhook-id': 'evt_2' })).toThrow();
    const stale = { ...signWebhook({ id: 'evt_1', timestampSec: nowSec() - 3600, body, secrets: [secret] }) };
    expect(() => new Webhook(secret).verify(body, stale)).toThrow(/timestamp/i);
  });

  it('carry one signature per secret during a rotation, each verifying on its own', () => {
    const headers = { ...signWebhook({ id: 'evt_1', timestampSec: nowSec(), body, secrets: [otherSecret, secret] }) };
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(secret).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(otherSecret).verify(body, headers)).not.toThrow();
  });
});

describe('webhook secrets', () => {
  it('round-trip the whsec_ form and refuse what is not one', () => {
    expect(parseSecret(secret)).toMatchObject({ ok: true });
    expect(parseSecret('sk_abc')).toEqual({ ok: false, message: 'must start with whsec_' });
    expect(parseSecret('whsec_not base64!')).toMatchObject({ ok: false });
    const short = parseSecret(formatSecret(Buffer.alloc(8)));
    expect(short.ok ? '' : short.message).toContain('24 to 64 bytes');
  });
});

describe('the webhook retry schedule', () => {
  it('spans about three days, grows, honours Retry-After and jitters downwards only', () => {
    const total = WEBHOOK_RETRY_SCHEDULE_MS.reduce((sum, ms) => sum + ms, 0);
    expect(total / 86_400_000).toBeGreaterThan(2.5);
    expect(total / 86_400_000).toBeLessThan(3.5);
    expect(WEBHOOK_MAX_TRIES).toBe(WEBHOOK_RETRY_SCHEDULE_MS.length + 1);
    expect(webhookRetryDelayMs(1, () => 0)).toBe(5_000);
    expect(webhookRetryDelayMs(1, () => 0.999)).toBeGreaterThan(4_000);
    expect(webhookRetryDelayMs(3, () => 0)).toBeGreaterThan(webhookRetryDelayMs(2, () => 0));
    expect(webhookRetryDelayMs(1, () => 0, 60_000)).toBe(60_000);
    expect(webhookRetryDelayMs(100, () => 0)).toBe(WEBHOOK_RETRY_SCHEDULE_MS.at(-1));
  });
});
