import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/adapters/storage/shared/storage.js';
import { WEBHOOK_DELIVERY_PIPELINE } from '../../src/core/webhooks/delivery-job.js';
import type { DispatchEvent, WebhookEndpointSettings } from '../../src/core/webhooks/webhook-repository.js';
import { migrateDatabase, openStorage } from '../../src/platform/storage.js';
import type { TestDatabase } from '../support/test-databases.js';
import { databaseConfig } from '../support/test-databases.js';

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const OTHER_SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
const HOUR = 3_600_000;

/** Webhook endpoints, the dispatcher's write and the bookkeeping of each try, on a real database. */
export function describeWebhookRepositoryContract(driver: 'postgres' | 'sqlite', createDatabase: () => Promise<TestDatabase>): void {
  describe(`WebhookRepository contract (${driver})`, () => {
    let database: TestDatabase;
    let storage: Storage;
    let seq = 0;
    let reader = '';
    let cursor: string | null = null;

    const settings = (extra: Partial<WebhookEndpointSettings> = {}): WebhookEndpointSettings => ({
      url: 'https://receiver.example/hook',
      description: '',
      pipelines: [`p-${seq}`],
      enabled: true,
      ordered: false,
      ...extra,
    });
    const event = (pipeline: string, scopeKey = 'scope-a'): DispatchEvent => {
      seq++;
      return { id: `evt_${seq}_${Date.now()}`, type: 'publication.created', pipeline, scopeKey, payload: JSON.stringify({ n: seq }) };
    };
    const dispatch = async (events: DispatchEvent[]) => {
      const next = `c${++seq}`;
      const written = await storage.webhooks.dispatch({ reader, readAfter: cursor, nextCursor: next, events, maxTries: 3 });
      expect(written.ok).toBe(true);
      cursor = next;
      return written;
    };
    const deliveriesOf = async (endpointId: string) => (await storage.webhooks.listDeliveries(endpointId, { limit: 100 })).deliveries.reverse();

    beforeAll(async () => {
      database = await createDatabase();
      const config = databaseConfig(driver, database.dsn);
      await migrateDatabase(config);
      storage = openStorage(config);
    });
    afterAll(async () => {
      await storage.jobs.close();
      await database.drop();
    });

    it('stores, lists, updates, rotates and soft-deletes an endpoint', async () => {
      const created = await storage.webhooks.createEndpoint(settings({ pipelines: null, description: 'orders' }), SECRET);
      expect(created).toMatchObject({ pipelines: null, description: 'orders', enabled: true, secret: SECRET, previousSecret: null });
      expect(await storage.webhooks.getEndpoint(created.id)).toEqual(created);
      expect((await storage.webhooks.listEndpoints({ limit: 50 })).endpoints.map((e) => e.id)).toContain(created.id);

      const disabled = await storage.webhooks.updateEndpoint(created.id, settings({ pipelines: ['a', 'b'], enabled: false }));
      expect(disabled).toMatchObject({ pipelines: ['a', 'b'], enabled: false, disabledReason: 'disabled through the API' });
      const enabled = await storage.webhooks.updateEndpoint(created.id, settings({ enabled: true }));
      expect(enabled).toMatchObject({ enabled: true, disabledReason: null, disabledAt: null });

      const rotated = await storage.webhooks.rotateSecret(created.id, OTHER_SECRET, HOUR);
      expect(rotated).toMatchObject({ secret: OTHER_SECRET, previousSecret: SECRET });
      expect(rotated?.previousSecretExpiresAt?.getTime()).toBeGreaterThan(Date.now() + HOUR / 2);

      expect(await storage.webhooks.deleteEndpoint(created.id)).toBe(true);
      expect(await storage.webhooks.getEndpoint(created.id)).toBeNull();
      expect(await storage.webhooks.deleteEndpoint(created.id)).toBe(false);
      expect(await storage.webhooks.getEndpoint('not-an-id')).toBeNull();
    });

    it('dispatches one delivery and one keyed job per wanting endpoint and event, and refuses a page whose cursor moved', async () => {
      reader = `reader-${Date.now()}`;
      const pipeline = `p-${++seq}`;
      const wants = await storage.webhooks.createEndpoint(settings({ pipelines: [pipeline] }), SECRET);
      const other = await storage.webhooks.createEndpoint(settings({ pipelines: ['elsewhere'] }), SECRET);
      const first = event(pipeline);
      await dispatch([first, event('elsewhere')]);
      expect(await storage.webhooks.readDispatchCursor(reader)).toBe(cursor);

      const [delivery] = await deliveriesOf(wants.id);
      expect(delivery).toMatchObject({ eventId: first.id, status: 'pending', payload: first.payload, attemptCount: 0 });
      expect((await deliveriesOf(other.id)).length).toBe(1);
      const job = await storage.jobs.getJob(delivery?.jobId ?? '0');
      expect(job?.job).toMatchObject({ pipeline: WEBHOOK_DELIVERY_PIPELINE, idempotencyKey: `webhook:${wants.id}:${first.id}`, maxAttempts: 3 });

      const stale = await storage.webhooks.dispatch({ reader, readAfter: null, nextCursor: 'elsewhere', events: [event(pipeline)], maxTries: 3 });
      expect(stale).toEqual({ ok: false, reason: 'moved' });
      expect((await deliveriesOf(wants.id)).length).toBe(1);
    });

    it('records each try; a success ends the delivery, the last failure gives it up', async () => {
      const pipeline = `p-${++seq}`;
      const endpoint = await storage.webhooks.createEndpoint(settings({ pipelines: [pipeline] }), SECRET);
      await dispatch([event(pipeline), event(pipeline)]);
      const [ok, bad] = await deliveriesOf(endpoint.id);
      const base = { jobAttempt: 1, latencyMs: 12, statusCode: 500, responseExcerpt: 'oops', disableAfterMs: 72 * HOUR, maxTries: 3 };
      await storage.webhooks.recordTry({ ...base, deliveryId: ok?.id ?? '', jobId: ok?.jobId ?? '', succeeded: false, error: 'the endpoint answered 500', final: false });
      await storage.webhooks.recordTry({ ...base, deliveryId: ok?.id ?? '', jobId: ok?.jobId ?? '', jobAttempt: 2, statusCode: 204, responseExcerpt: '', succeeded: true, error: null, final: true });
      await storage.webhooks.recordTry({ ...base, deliveryId: bad?.id ?? '', jobId: bad?.jobId ?? '', succeeded: false, error: 'the endpoint answered 500', final: true });

      const read = await storage.webhooks.getDelivery(endpoint.id, ok?.id ?? '');
      expect(read?.delivery).toMatchObject({ status: 'succeeded', attemptCount: 2 });
      expect(read?.attempts.map((a) => [a.outcome, a.statusCode, a.jobAttempt])).toEqual([
        ['failed', 500, 1],
        ['succeeded', 204, 2],
      ]);
      expect(read?.attempts[0]).toMatchObject({ latencyMs: 12, responseExcerpt: 'oops', error: 'the endpoint answered 500' });
      expect((await storage.webhooks.getDelivery(endpoint.id, bad?.id ?? ''))?.delivery).toMatchObject({ status: 'failed', lastError: 'the endpoint answered 500' });
      expect(await storage.webhooks.getDelivery('999999', ok?.id ?? '')).toBeNull();
    });

    it('disables an endpoint on 410 Gone, or once it has failed for longer than allowed, recording why', async () => {
      const pipeline = `p-${++seq}`;
      const gone = await storage.webhooks.createEndpoint(settings({ pipelines: [pipeline] }), SECRET);
      const failing = await storage.webhooks.createEndpoint(settings({ pipelines: [pipeline] }), SECRET);
      await dispatch([event(pipeline)]);
      const [toGone] = await deliveriesOf(gone.id);
      const [toFailing] = await deliveriesOf(failing.id);
      const base = { jobAttempt: 1, latencyMs: 1, responseExcerpt: null, succeeded: false, final: false, maxTries: 3 };
      const goneTry = await storage.webhooks.recordTry({
        ...base,
        deliveryId: toGone?.id ?? '',
        jobId: toGone?.jobId ?? '',
        statusCode: 410,
        error: 'gone',
        final: true,
        disableReason: 'the endpoint answered 410 Gone',
        disableAfterMs: 72 * HOUR,
      });
      expect(goneTry.endpointDisabled).toBe(true);
      expect(await storage.webhooks.getEndpoint(gone.id)).toMatchObject({ enabled: false, disabledReason: 'the endpoint answered 410 Gone' });

      const firstFailure = await storage.webhooks.recordTry({ ...base, deliveryId: toFailing?.id ?? '', jobId: toFailing?.jobId ?? '', statusCode: 503, error: 'the endpoint answered 503', disableAfterMs: 72 * HOUR });
      expect(firstFailure.endpointDisabled).toBe(false);
      expect((await storage.webhooks.getEndpoint(failing.id))?.failingSince).not.toBeNull();
      const tooLong = await storage.webhooks.recordTry({ ...base, jobAttempt: 2, deliveryId: toFailing?.id ?? '', jobId: toFailing?.jobId ?? '', statusCode: 503, error: 'the endpoint answered 503', disableAfterMs: 0 });
      expect(tooLong.endpointDisabled).toBe(true);
      expect((await storage.webhooks.getEndpoint(failing.id))?.disabledReason).toMatch(/WEBHOOK_DISABLE_AFTER_FAILING_HOURS.*503/);

      // Events for a disabled endpoint are recorded as failed, unsent, so a redelivery can find them.
      await dispatch([event(pipeline)]);
      const latest = (await deliveriesOf(gone.id)).at(-1);
      expect(latest).toMatchObject({ status: 'failed', jobId: null });
      expect(latest?.lastError).toMatch(/disabled/);
    });

    it('holds an ordered scope until its previous delivery ended, then releases the next one', async () => {
      const pipeline = `p-${++seq}`;
      const endpoint = await storage.webhooks.createEndpoint(settings({ pipelines: [pipeline], ordered: true }), SECRET);
      await dispatch([event(pipeline, 'a'), event(pipeline, 'a'), event(pipeline, 'b')]);
      await dispatch([event(pipeline, 'a')]);
      const [a1, a2, b1, a3] = await deliveriesOf(endpoint.id);
      expect([a1?.status, a2?.status, b1?.status, a3?.status]).toEqual(['pending', 'waiting', 'pending', 'waiting']);
      expect(a2?.jobId).toBeNull();

      const base = { jobAttempt: 1, latencyMs: 1, statusCode: 200, responseExcerpt: null, error: null, disableAfterMs: HOUR, maxTries: 3 };
      await storage.webhooks.recordTry({ ...base, deliveryId: a1?.id ?? '', jobId: a1?.jobId ?? '', succeeded: true, final: true });
      const afterFirst = await deliveriesOf(endpoint.id);
      expect(afterFirst.map((x) => x.status)).toEqual(['succeeded', 'pending', 'pending', 'waiting']);
      expect(afterFirst[1]?.jobId).not.toBeNull();

      await storage.webhooks.abandonDelivery(afterFirst[1]?.id ?? '', 'the endpoint was deleted', 3);
      expect((await deliveriesOf(endpoint.id)).map((x) => x.status)).toEqual(['succeeded', 'failed', 'pending', 'pending']);
    });

    it('sends every waiting delivery once an endpoint stops being ordered', async () => {
      const pipeline = `p-${++seq}`;
      const endpoint = await storage.webhooks.createEndpoint(settings({ pipelines: [pipeline], ordered: true }), SECRET);
      await dispatch([event(pipeline, 'a'), event(pipeline, 'a'), event(pipeline, 'a'), event(pipeline, 'b')]);
      expect((await deliveriesOf(endpoint.id)).map((x) => x.status)).toEqual(['pending', 'waiting', 'waiting', 'pending']);

      await storage.webhooks.updateEndpoint(endpoint.id, settings({ pipelines: [pipeline], ordered: false }));
      const after = await deliveriesOf(endpoint.id);
      expect(after.map((x) => x.status)).toEqual(['pending', 'pending', 'pending', 'pending']);
      for (const delivery of after) {
        const job = await storage.jobs.getJob(delivery.jobId ?? '0');
        expect(job?.job).toMatchObject({ state: 'pending', params: { delivery_id: delivery.id } });
      }
    });

    it('resends and redelivers a delivery left pending by a job that ended without a final try (cancelled)', async () => {
      const pipeline = `p-${++seq}`;
      const endpoint = await storage.webhooks.createEndpoint(settings({ pipelines: [pipeline], ordered: true }), SECRET);
      const first = event(pipeline, 'a');
      const second = event(pipeline, 'b');
      await dispatch([first, second]);
      const [d1, d2] = await deliveriesOf(endpoint.id);
      const request = { endpointId: endpoint.id, requestedBy: 'operator@example', requestId: 'req-2', maxTries: 3 };
      // Still running: not recoverable.
      expect(await storage.webhooks.resendEvent({ ...request, eventId: first.id })).toEqual({ ok: false, reason: 'delivery_in_progress' });

      for (const stranded of [d1, d2]) expect(await storage.jobs.cancelJob(stranded?.jobId ?? '')).toMatchObject({ ok: true, effect: 'cancelled' });
      expect((await deliveriesOf(endpoint.id)).map((x) => x.status)).toEqual(['pending', 'pending']);

      const resent = await storage.webhooks.resendEvent({ ...request, eventId: first.id });
      if (!resent.ok) throw new Error(`resend refused: ${resent.reason}`);
      expect(resent.deliveries[0]).toMatchObject({ id: d1?.id, status: 'pending' });
      expect(resent.deliveries[0]?.jobId).not.toBe(d1?.jobId);

      const redelivered = await storage.webhooks.redeliverFailed({ ...request, since: new Date(Date.now() - HOUR) });
      if (!redelivered.ok) throw new Error(`redelivery refused: ${redelivered.reason}`);
      expect(redelivered.deliveries.map((x) => x.id)).toEqual([d2?.id]);
      expect(redelivered.deliveries[0]?.jobId).not.toBe(d2?.jobId);
      const job = await storage.jobs.getJob(redelivered.deliveries[0]?.jobId ?? '0');
      expect(job?.job.state).toBe('pending');
    });

    it('resends one event and redelivers what failed since a time, each as new jobs and with a record of who asked', async () => {
      const pipeline = `p-${++seq}`;
      const endpoint = await storage.webhooks.createEndpoint(settings({ pipelines: [pipeline] }), SECRET);
      const sent = event(pipeline);
      await dispatch([sent, event(pipeline), event(pipeline)]);
      const [d1, d2, d3] = await deliveriesOf(endpoint.id);
      const base = { jobAttempt: 1, latencyMs: 1, statusCode: 500, responseExcerpt: null, error: 'the endpoint answered 500', disableAfterMs: 72 * HOUR, maxTries: 3 };
      await storage.webhooks.recordTry({ ...base, deliveryId: d1?.id ?? '', jobId: d1?.jobId ?? '', statusCode: 200, error: null, succeeded: true, final: true });
      for (const failed of [d2, d3]) await storage.webhooks.recordTry({ ...base, deliveryId: failed?.id ?? '', jobId: failed?.jobId ?? '', succeeded: false, final: true });

      const request = { endpointId: endpoint.id, requestedBy: 'operator@example', requestId: 'req-1', maxTries: 3 };
      expect(await storage.webhooks.resendEvent({ ...request, eventId: 'evt_unknown' })).toEqual({ ok: false, reason: 'delivery_not_found' });
      const resent = await storage.webhooks.resendEvent({ ...request, eventId: sent.id });
      if (!resent.ok) throw new Error(`resend refused: ${resent.reason}`);
      expect(resent.deliveries).toHaveLength(1);
      expect(resent.deliveries[0]).toMatchObject({ status: 'pending', eventId: sent.id });
      expect(resent.deliveries[0]?.jobId).not.toBe(d1?.jobId);
      expect(await storage.webhooks.resendEvent({ ...request, eventId: sent.id })).toEqual({ ok: false, reason: 'delivery_in_progress' });

      const redelivered = await storage.webhooks.redeliverFailed({ ...request, since: new Date(Date.now() - HOUR) });
      if (!redelivered.ok) throw new Error(`redelivery refused: ${redelivered.reason}`);
      expect(redelivered.deliveries.map((x) => x.id).sort()).toEqual([d2?.id, d3?.id].sort());
      const job = await storage.jobs.getJob(redelivered.deliveries[0]?.jobId ?? '0');
      expect(job?.job.idempotencyKey).toBe(`webhook:${endpoint.id}:${redelivered.deliveries[0]?.eventId}:recovery:${redelivered.recoveryId}`);
      const audit = await storage.webhooks.listRecoveries(endpoint.id, 10);
      expect(audit.map((r) => [r.kind, r.requestedBy, r.requestId, r.deliveryCount, r.eventId])).toEqual([
        ['redeliver_failed', 'operator@example', 'req-1', 2, null],
        ['resend', 'operator@example', 'req-1', 1, sent.id],
      ]);
      const nothingLeft = await storage.webhooks.redeliverFailed({ ...request, since: new Date(Date.now() - HOUR) });
      expect(nothingLeft).toMatchObject({ ok: true, deliveries: [] });

      await storage.webhooks.updateEndpoint(endpoint.id, settings({ pipelines: [pipeline], enabled: false }));
      expect(await storage.webhooks.redeliverFailed({ ...request, since: new Date(0) })).toEqual({ ok: false, reason: 'endpoint_disabled' });
      expect(await storage.webhooks.resendEvent({ ...request, endpointId: '424242', eventId: sent.id })).toEqual({ ok: false, reason: 'endpoint_not_found' });
    });
  });
}
