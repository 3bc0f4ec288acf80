import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookReceiver } from '../support/webhook-receiver.js';
import { startApiHarness, TOKEN, type ApiHarness } from './api-harness.js';

const auth = { authorization: `Bearer ${TOKEN}` };
const SECRET = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;

interface WebhookBody {
  webhook: { id: string; enabled: boolean; pipelines: string[] | null; disabled_reason: string | null; previous_secret_valid_until: string | null };
  secret: string;
}

describe('the webhooks API', () => {
  let api: ApiHarness;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    api = await startApiHarness({ LOG_LEVEL: 'debug', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' });
    receiver = new WebhookReceiver([SECRET]);
    await receiver.start();
  });
  afterAll(async () => {
    await receiver.stop();
    await api.close();
  });

  const create = (body: object) => api.app.inject({ method: 'POST', url: '/internal/v1/webhooks', headers: auth, payload: body });

  it('registers an endpoint, shows a generated whsec_ secret once and never again, nor in any log line', async () => {
    const created = await create({ url: 'https://receiver.example/hooks', pipelines: ['system.noop'], description: 'orders' });
    expect(created.statusCode).toBe(201);
    const body = created.json<WebhookBody>();
    expect(body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created.headers.location).toBe(`/internal/v1/webhooks/${body.webhook.id}`);
    expect(body.webhook).toMatchObject({ enabled: true, pipelines: ['system.noop'] });

    const read = await api.app.inject({ method: 'GET', url: `/internal/v1/webhooks/${body.webhook.id}`, headers: auth });
    const listed = await api.app.inject({ method: 'GET', url: '/internal/v1/webhooks', headers: auth });
    expect(read.statusCode).toBe(200);
    for (const answer of [read.body, listed.body]) expect(answer).not.toContain(body.secret.slice(6));
    expect(api.rawLogs.join('')).not.toContain(body.secret.slice(6));

    const given = await create({ url: 'https://receiver.example/other', secret: SECRET });
    expect(given.json<WebhookBody>().secret).toBe(SECRET);
    expect(api.rawLogs.join('')).not.toContain(SECRET.slice(6));
  });

  it('refuses bad input with 400s naming each wrong field, and stores nothing', async () => {
    const before = await api.storage.webhooks.listEndpoints({ limit: 200 });
    const bad = await create({ url: 'ftp://x.example/', pipelines: ['system.noop', 'no.such'], secret: 'sk_live' });
    expect(bad.statusCode).toBe(400);
    const fields = bad.json<{ errors: { field: string }[] }>().errors.map((e) => e.field);
    expect(fields.sort()).toEqual(['body.pipelines.1', 'body.secret', 'body.url']);
    const shapes = await create({ url: 42, ordered: 'yes', extra: 1 });
    expect(shapes.statusCode).toBe(400);
    expect(shapes.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toEqual(expect.arrayContaining(['body.url', 'body.ordered']));
    const credentials = await create({ url: 'https://user:pw@receiver.example/' });
    expect(credentials.json<{ errors: { field: string; message: string }[] }>().errors).toEqual([{ field: 'body.url', message: expect.stringContaining('credentials') as string }]);
    expect((await api.storage.webhooks.listEndpoints({ limit: 200 })).endpoints).toHaveLength(before.endpoints.length);
    const badSince = await api.app.inject({ method: 'POST', url: '/internal/v1/webhooks/1/redeliver', headers: auth, payload: { since: 'yesterday', requested_by: 'ops' } });
    expect(badSince.statusCode).toBe(400);
    expect(new Set(badSince.json<{ errors: { field: string }[] }>().errors.map((e) => e.field))).toEqual(new Set(['body.since']));
  });

  it('updates, rotates, test-sends to a live receiver and deletes', async () => {
    const { webhook } = (await create({ url: receiver.url, secret: SECRET })).json<WebhookBody>();
    const disabled = await api.app.inject({ method: 'PATCH', url: `/internal/v1/webhooks/${webhook.id}`, headers: auth, payload: { enabled: false } });
    expect(disabled.json<WebhookBody>().webhook).toMatchObject({ enabled: false, disabled_reason: 'disabled through the API' });
    const enabled = await api.app.inject({ method: 'PATCH', url: `/internal/v1/webhooks/${webhook.id}`, headers: auth, payload: { enabled: true } });
    expect(enabled.json<WebhookBody>().webhook).toMatchObject({ enabled: true, disabled_reason: null });

    const tested = await api.app.inject({ method: 'POST', url: `/internal/v1/webhooks/${webhook.id}/test`, headers: auth });
    expect(tested.json()).toMatchObject({ test: { outcome: 'succeeded', status_code: 200 } });
    expect(receiver.receipts.at(-1)).toMatchObject({ verified: true });
    expect(JSON.parse(receiver.receipts.at(-1)?.body ?? '')).toMatchObject({ type: 'webhook.test', data: { endpoint_id: webhook.id } });

    const rotated = await api.app.inject({ method: 'POST', url: `/internal/v1/webhooks/${webhook.id}/rotate-secret`, headers: auth, payload: { previous_valid_seconds: 600 } });
    const rotation = rotated.json<WebhookBody>();
    expect(rotation.secret).toMatch(/^whsec_/);
    expect(rotation.secret).not.toBe(SECRET);
    expect(rotation.webhook.previous_secret_valid_until).not.toBeNull();
    // Still verified by a consumer that has not switched yet: both signatures are sent.
    await api.app.inject({ method: 'POST', url: `/internal/v1/webhooks/${webhook.id}/test`, headers: auth });
    expect(receiver.receipts.at(-1)).toMatchObject({ verified: true });
    expect(String(receiver.receipts.at(-1)?.headers['webhook-signature']).split(' ')).toHaveLength(2);

    const deleted = await api.app.inject({ method: 'DELETE', url: `/internal/v1/webhooks/${webhook.id}`, headers: auth });
    expect(deleted.statusCode).toBe(204);
    for (const [method, url] of [
      ['GET', `/internal/v1/webhooks/${webhook.id}`],
      ['DELETE', `/internal/v1/webhooks/${webhook.id}`],
      ['POST', `/internal/v1/webhooks/${webhook.id}/test`],
      ['GET', `/internal/v1/webhooks/${webhook.id}/deliveries`],
      ['GET', '/internal/v1/webhooks/nope'],
    ] as const) {
      expect((await api.app.inject({ method, url, headers: auth })).statusCode, `${method} ${url}`).toBe(404);
    }
  });

  it('answers recovery requests for unknown deliveries and disabled endpoints with 404 and 409', async () => {
    const { webhook } = (await create({ url: receiver.url })).json<WebhookBody>();
    const resend = await api.app.inject({ method: 'POST', url: `/internal/v1/webhooks/${webhook.id}/resend`, headers: auth, payload: { event_id: 'evt_x', requested_by: 'ops' } });
    expect(resend.statusCode).toBe(404);
    const none = await api.app.inject({ method: 'POST', url: `/internal/v1/webhooks/${webhook.id}/redeliver`, headers: auth, payload: { since: '2026-01-01T00:00:00Z', requested_by: 'ops' } });
    expect(none.statusCode).toBe(202);
    expect(none.json()).toMatchObject({ deliveries: [] });
    await api.app.inject({ method: 'PATCH', url: `/internal/v1/webhooks/${webhook.id}`, headers: auth, payload: { enabled: false } });
    const disabled = await api.app.inject({ method: 'POST', url: `/internal/v1/webhooks/${webhook.id}/redeliver`, headers: auth, payload: { since: '2026-01-01T00:00:00Z', requested_by: 'ops' } });
    expect(disabled.statusCode).toBe(409);
    expect((await api.app.inject({ method: 'GET', url: '/internal/v1/webhooks', headers: {} })).statusCode).toBe(401);
  });
});
