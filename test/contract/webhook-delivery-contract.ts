import pino from 'pino';
import { z } from 'zod';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebhookDispatcher } from '../../src/application/delivery/webhook-dispatcher.js';
import { createWebhookDeliveryHandler } from '../../src/application/delivery/webhook-delivery-handler.js';
import { HandlerRegistry } from '../../src/application/handler-registry.js';
import type { JobHandler } from '../../src/application/job-handler.js';
import { Worker } from '../../src/application/worker.js';
import { UndiciWebhookSender } from '../../src/adapters/delivery/undici-webhook-sender.js';
import type { Storage } from '../../src/adapters/storage/shared/storage.js';
import { normalizedHash } from '../../src/core/content-hashes.js';
import { formatSecret } from '../../src/core/webhooks/webhook-secret.js';
import type { WebhookEndpointSettings } from '../../src/core/webhooks/webhook-repository.js';
import { migrateDatabase, openStorage } from '../../src/platform/storage.js';
import { MemoryChangeFeed } from '../support/memory-change-feed.js';
import type { TestDatabase } from '../support/test-databases.js';
import { databaseConfig } from '../support/test-databases.js';
import { waitFor } from '../support/wait-for.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

const secretOf = (byte: number) => formatSecret(Buffer.alloc(32, byte));
/** Short waits between tries, so a receiver's outage is retried through within the test. */
const QUICK_RETRIES = [50, 100, 200, 300, 300, 300, 300, 300, 300, 300];
const MAX_TRIES = QUICK_RETRIES.length + 1;
const PUBLISHING = 'webhooks.publisher';

/** A pipeline that publishes what its params say, through the real success settle (and so the outbox). */
const publisher: JobHandler = {
  pipeline: PUBLISHING,
  scopeSchema: z.strictObject({ name: z.string() }),
  paramsSchema: z.strictObject({ n: z.int() }),
  run: ({ job }) => {
    const payload = { records: [{ n: job.params.n ?? 0 }] };
    return Promise.resolve({
      ingestion: {
        scope: job.scope,
        sourceSnapshotIds: [],
        sourceSnapshotHash: normalizedHash({ source: payload }),
        normalizedHash: normalizedHash(payload),
        parserVersion: '1',
        normalizerVersion: '1',
        payload,
        forced: false,
      },
    });
  },
};

/**
 * Webhooks end to end on a real database: outbox events dispatched into delivery jobs, run by a real
 * worker, sent over loopback to a receiver that verifies each signature with `standardwebhooks`.
 */
export function describeWebhookDeliveryContract(driver: 'postgres' | 'sqlite', createDatabase: () => Promise<TestDatabase>): void {
  describe(`webhook delivery end to end (${driver})`, () => {
    let database: TestDatabase;
    let storage: Storage;
    let feed: MemoryChangeFeed;
    let sender: UndiciWebhookSender;
    let worker: Worker;
    let dispatcher: WebhookDispatcher;
    let outboxDispatcher: WebhookDispatcher;
    const receivers: WebhookReceiver[] = [];
    let seq = 0;

    const receiver = async (secret: string) => {
      const started = new WebhookReceiver([secret]);
      await started.start();
      receivers.push(started);
      return started;
    };
    const endpoint = (url: string, secret: string, extra: Partial<WebhookEndpointSettings> = {}) =>
      storage.webhooks.createEndpoint({ url, description: '', pipelines: [`p${++seq}`], enabled: true, ordered: false, ...extra }, secret);

    beforeAll(async () => {
      database = await createDatabase();
      const config = databaseConfig(driver, database.dsn);
      await migrateDatabase(config);
      storage = openStorage(config);
      feed = new MemoryChangeFeed();
      sender = new UndiciWebhookSender({ userAgent: 'test', connectTimeoutMs: 5_000, timeoutMs: 10_000, allowPrivateTargets: true });
      const handler = createWebhookDeliveryHandler({ webhooks: storage.webhooks, sender, disableAfterFailingMs: 3_600_000, tryTimeoutMs: 10_000, retrySchedule: QUICK_RETRIES });
      worker = new Worker({
        repository: storage.jobs,
        handlers: new HandlerRegistry([handler, publisher]),
        workerId: `webhooks-${driver}`,
        concurrency: 4,
        leaseMs: 10_000,
        heartbeatIntervalMs: 2_000,
        pollIntervalMs: 50,
        retryPolicy: { baseDelayMs: 10, maxDelayMs: 50 },
        logger: pino({ level: 'silent' }),
      });
      await worker.start();
      dispatcher = new WebhookDispatcher({ feed, webhooks: storage.webhooks, maxTries: MAX_TRIES, pollIntervalMs: 50, logger: pino({ level: 'silent' }) });
      dispatcher.start();
      outboxDispatcher = new WebhookDispatcher({ feed: storage.changes, webhooks: storage.webhooks, maxTries: MAX_TRIES, pollIntervalMs: 250, reader: 'outbox', logger: pino({ level: 'silent' }) });
      outboxDispatcher.start();
    });
    afterEach(() => {
      for (const r of receivers) r.answer = () => ({ status: 200 });
    });
    afterAll(async () => {
      await dispatcher.stop();
      await outboxDispatcher.stop();
      await worker.stop(2_000);
      await sender.close();
      await Promise.all(receivers.map((r) => r.stop()));
      await storage.jobs.close();
      await database.drop();
    });

    it('delivers a publication once, signed so standardwebhooks verifies it, and records the try', async () => {
      const secret = secretOf(1);
      const consumer = await receiver(secret);
      const registered = await endpoint(consumer.url, secret);
      const event = feed.publish(registered.pipelines?.[0] ?? '', 'scope-1');

      const [receipt] = await waitFor('the delivery', () => (consumer.delivered().length > 0 ? consumer.delivered() : undefined));
      expect(receipt?.id).toBe(event.id);
      expect(JSON.parse(receipt?.body ?? '')).toMatchObject({ type: 'publication.created', data: { event_id: event.id, scope_key: 'scope-1', publication_id: event.publicationId } });
      const [delivery] = (await storage.webhooks.listDeliveries(registered.id, { limit: 10 })).deliveries;
      const read = await waitFor('the delivery to be recorded', async () => {
        const found = await storage.webhooks.getDelivery(registered.id, delivery?.id ?? '');
        return found?.delivery.status === 'succeeded' ? found : undefined;
      });
      expect(read.attempts).toHaveLength(1);
      expect(read.attempts[0]).toMatchObject({ outcome: 'succeeded', statusCode: 200, responseExcerpt: '{"received":true}' });
      expect(consumer.receipts).toHaveLength(1);
    });

    it('delivers each publication a job makes, through the outbox, once and in order per scope', async () => {
      const secret = secretOf(7);
      const consumer = await receiver(secret);
      const registered = await storage.webhooks.createEndpoint({ url: consumer.url, description: '', pipelines: [PUBLISHING], enabled: true, ordered: true }, secret);
      const enqueued = await storage.jobs.enqueueJobs(
        [1, 2, 3].flatMap((n) => ['a', 'b'].map((name) => ({ pipeline: PUBLISHING, scope: { name }, params: { n }, maxAttempts: 3, priority: -n }))),
      );
      for (const { job } of enqueued) await waitFor(`job ${job.id} to publish`, async () => (await storage.jobs.getJob(job.id))?.job.state === 'succeeded');

      // Every publication is one outbox event, and one verified delivery of it, with its version.
      await waitFor('six deliveries', () => consumer.delivered().length >= 6, 60_000);
      const bodies = consumer.delivered().map((r) => JSON.parse(r.body) as { data: { scope_key: string; version: number; event_id: string } });
      expect(new Set(bodies.map((b) => b.data.event_id)).size).toBe(6);
      for (const name of ['a', 'b']) {
        expect(bodies.filter((b) => b.data.scope_key === JSON.stringify({ name })).map((b) => b.data.version)).toEqual([1, 2, 3]);
      }
      expect(consumer.receipts.every((r) => r.verified)).toBe(true);
      await waitFor('six deliveries recorded as sent', async () => {
        const { deliveries } = await storage.webhooks.listDeliveries(registered.id, { limit: 50 });
        return deliveries.length === 6 && deliveries.every((d) => d.status === 'succeeded');
      });
    });

    it('retries through an outage: every event delivered, in order per scope where ordering is on, none twice but as retries of one webhook-id', async () => {
      const secret = secretOf(2);
      const orderedConsumer = await receiver(secret);
      const plainConsumer = await receiver(secret);
      const pipeline = `p${++seq}`;
      const ordered = await storage.webhooks.createEndpoint({ url: orderedConsumer.url, description: '', pipelines: [pipeline], enabled: true, ordered: true }, secret);
      await storage.webhooks.createEndpoint({ url: plainConsumer.url, description: '', pipelines: [pipeline], enabled: true, ordered: false }, secret);
      let down = true;
      for (const r of [orderedConsumer, plainConsumer]) r.answer = () => (down ? { status: 503, headers: { 'retry-after': '0' } } : { status: 200 });

      const published = [];
      for (let i = 0; i < 12; i++) published.push(feed.publish(pipeline, `scope-${i % 3}`, i + 1));
      await waitFor('tries while the receivers are down', () => orderedConsumer.receipts.length >= 3 && plainConsumer.receipts.length >= 12);
      down = false;
      const ids = published.map((e) => e.id).sort();
      for (const consumer of [orderedConsumer, plainConsumer]) {
        await waitFor('every event delivered', () => new Set(consumer.delivered().map((r) => r.id)).size === published.length, 60_000);
        expect(consumer.delivered().map((r) => r.id).sort()).toEqual(ids);
        // Every request of one webhook-id carried the same body: a retry, not a second event.
        const bodies = new Map<string, Set<string>>();
        for (const r of consumer.receipts) bodies.set(r.id, (bodies.get(r.id) ?? new Set()).add(r.body));
        expect([...bodies.values()].every((set) => set.size === 1)).toBe(true);
        expect(consumer.receipts.every((r) => r.verified)).toBe(true);
      }
      for (const scope of ['scope-0', 'scope-1', 'scope-2']) {
        const expected = published.filter((e) => e.scopeKey === scope).map((e) => e.id);
        const firstSeen = [...new Set(orderedConsumer.receipts.filter((r) => expected.includes(r.id)).map((r) => r.id))];
        expect(firstSeen).toEqual(expected);
      }
      const waiting = await storage.webhooks.listDeliveries(ordered.id, { limit: 100, status: 'waiting' });
      expect(waiting.deliveries).toEqual([]);
    });

    it('counts a redirect as a failure without following it, and disables an endpoint that answers 410 Gone', async () => {
      const secret = secretOf(3);
      const consumer = await receiver(secret);
      const registered = await endpoint(consumer.url, secret);
      let redirects = 2;
      consumer.answer = (r) => (r.path === '/hooks' && redirects-- > 0 ? { status: 302, headers: { location: '/elsewhere' } } : { status: 200 });
      feed.publish(registered.pipelines?.[0] ?? '', 'redirected');
      await waitFor('the delivery after two redirects', () => consumer.delivered().length === 1);
      expect(consumer.receipts.map((r) => [r.path, r.status])).toEqual([
        ['/hooks', 302],
        ['/hooks', 302],
        ['/hooks', 200],
      ]);

      const goneConsumer = await receiver(secret);
      const gone = await endpoint(goneConsumer.url, secret);
      goneConsumer.answer = () => ({ status: 410 });
      feed.publish(gone.pipelines?.[0] ?? '', 'gone');
      const disabled = await waitFor('the endpoint to be disabled', async () => {
        const read = await storage.webhooks.getEndpoint(gone.id);
        return read?.enabled === false ? read : undefined;
      });
      expect(disabled.disabledReason).toMatch(/410/);
      expect(goneConsumer.receipts).toHaveLength(1);
    });

    it('dispatches each event once per endpoint however many dispatchers read the feed', async () => {
      const secret = secretOf(6);
      const consumer = await receiver(secret);
      const registered = await endpoint(consumer.url, secret);
      const others = [1, 2].map(() => new WebhookDispatcher({ feed, webhooks: storage.webhooks, maxTries: MAX_TRIES, pollIntervalMs: 10, pageSize: 7, logger: pino({ level: 'silent' }) }));
      for (const other of others) other.start();
      const published = Array.from({ length: 60 }, (_, i) => feed.publish(registered.pipelines?.[0] ?? '', `many-${i % 4}`).id);
      await waitFor('every event delivered', () => new Set(consumer.delivered().map((r) => r.id)).size === published.length, 60_000);
      await Promise.all(others.map((other) => other.stop()));
      const deliveries = (await storage.webhooks.listDeliveries(registered.id, { limit: 200 })).deliveries;
      expect(deliveries.map((d) => d.eventId).sort()).toEqual([...published].sort());
      expect(consumer.receipts.map((r) => r.id).sort()).toEqual([...published].sort());
    });

    it('signs with both secrets during a rotation, so a consumer holding either verifies', async () => {
      const oldSecret = secretOf(4);
      const newSecret = secretOf(5);
      const oldHolder = await receiver(oldSecret);
      const registered = await endpoint(oldHolder.url, oldSecret);
      await storage.webhooks.rotateSecret(registered.id, newSecret, 3_600_000);
      feed.publish(registered.pipelines?.[0] ?? '', 'rotating');
      const [receipt] = await waitFor('the delivery', () => (oldHolder.delivered().length > 0 ? oldHolder.delivered() : undefined));
      expect(String(receipt?.headers['webhook-signature']).split(' ')).toHaveLength(2);
      oldHolder.setSecrets([newSecret]);
      oldHolder.answer = () => ({ status: 200 });
      feed.publish(registered.pipelines?.[0] ?? '', 'rotating');
      await waitFor('the second delivery verified with the new secret alone', () => oldHolder.delivered().length === 2);
    });
  });
}
