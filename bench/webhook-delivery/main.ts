import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { WebhookDispatcher } from '../../src/application/delivery/webhook-dispatcher.js';
import { createWebhookDeliveryHandler } from '../../src/application/delivery/webhook-delivery-handler.js';
import { HandlerRegistry } from '../../src/application/handler-registry.js';
import { Worker } from '../../src/application/worker.js';
import { UndiciWebhookSender } from '../../src/adapters/delivery/undici-webhook-sender.js';
import { WEBHOOK_MAX_TRIES } from '../../src/core/webhooks/retry-schedule.js';
import { formatSecret } from '../../src/core/webhooks/webhook-secret.js';
import type { DatabaseConfig } from '../../test/support/test-databases.js';
import { MemoryChangeFeed } from '../../test/support/memory-change-feed.js';
import { migrateDatabase, openStorage } from '../../src/platform/storage.js';
import { describeMachine } from '../compare/machine.js';
import { withThrowawayDatabase } from '../support/throwaway-database.js';

/**
 * `npm run bench:webhooks [-- --driver postgres|sqlite --events 5000 --concurrency 16 --latency-events 50]`:
 * webhook deliveries to a fast receiver on loopback. Throughput: E events already in the change feed,
 * timed from the dispatcher's start until the receiver has answered every one. Latency: events
 * published one at a time, 100 ms apart, timed from publication to arrival (dispatcher poll
 * WEBHOOK_DISPATCH_POLL_INTERVAL_SEC's default 0.25 s, worker woken by the enqueue). The change feed is
 * in memory here, so its read cost is not counted. Writes bench/results/webhooks/.
 */
const arg = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : (process.argv[index + 1] ?? fallback);
};
const driver = arg('driver', 'postgres') === 'sqlite' ? 'sqlite' : 'postgres';
const eventCount = Number(arg('events', '5000'));
const concurrency = Number(arg('concurrency', '16'));
const latencyEvents = Number(arg('latency-events', '50'));
const began = performance.now();
const log = (line: string) => process.stderr.write(`[${((performance.now() - began) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function run(database: DatabaseConfig) {
  await migrateDatabase(database);
  const storage = openStorage(database);
  const arrivals = new Map<string, number>();
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      arrivals.set(String(request.headers['webhook-id']), performance.now());
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  const feed = new MemoryChangeFeed();
  const sender = new UndiciWebhookSender({ userAgent: 'bench', connectTimeoutMs: 5_000, timeoutMs: 15_000, allowPrivateTargets: true });
  const logger = pino({ level: 'silent' });
  const handler = createWebhookDeliveryHandler({ webhooks: storage.webhooks, sender, disableAfterFailingMs: 3_600_000, tryTimeoutMs: 15_000 });
  await storage.webhooks.createEndpoint({ url, description: 'bench', pipelines: null, enabled: true, ordered: false }, formatSecret(Buffer.alloc(32, 1)));

  const waitFor = async (ids: string[]) => {
    while (!ids.every((id) => arrivals.has(id))) await sleep(5);
  };
  const worker = new Worker({
    repository: storage.jobs,
    handlers: new HandlerRegistry([handler]),
    workerId: 'bench-webhooks',
    concurrency,
    claimBatchSize: concurrency * 4,
    leaseMs: 30_000,
    heartbeatIntervalMs: 10_000,
    pollIntervalMs: 2_000,
    retryPolicy: { baseDelayMs: 5_000, maxDelayMs: 900_000 },
    logger,
  });
  await worker.start();

  log(`throughput: ${eventCount} events in the feed, one endpoint, concurrency ${concurrency}`);
  const burst = Array.from({ length: eventCount }, (_, i) => feed.publish('bench.pipeline', `scope-${i % 100}`).id);
  const dispatcher = new WebhookDispatcher({ feed, webhooks: storage.webhooks, maxTries: WEBHOOK_MAX_TRIES, pollIntervalMs: 250, logger });
  const start = performance.now();
  dispatcher.start();
  await waitFor(burst);
  const seconds = (performance.now() - start) / 1000;
  log(`throughput: ${(eventCount / seconds).toFixed(0)} deliveries/s (${seconds.toFixed(2)} s)`);

  log(`latency: ${latencyEvents} events, 100 ms apart`);
  const latencies: number[] = [];
  for (let i = 0; i < latencyEvents; i++) {
    const published = performance.now();
    const { id } = feed.publish('bench.pipeline', `latency-${i}`);
    await waitFor([id]);
    latencies.push((arrivals.get(id) ?? published) - published);
    await sleep(100);
  }
  latencies.sort((a, b) => a - b);
  await dispatcher.stop();
  await worker.stop(5_000);
  await sender.close();
  server.closeAllConnections();
  server.close();
  await storage.jobs.close();
  return {
    throughput: { events: eventCount, seconds, per_second: eventCount / seconds, concurrency },
    latency_ms: { count: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) ?? Number.NaN },
  };
}

const result =
  driver === 'postgres'
    ? await withThrowawayDatabase('bench_webhooks', (dsn) => run({ driver, dsn, runMigrations: true, maxOpenConns: concurrency + 4, maxIdleConns: 2, connMaxLifetimeSec: 0 }))
    : await (async () => {
        const dir = mkdtempSync(join(tmpdir(), 'bench-webhooks-'));
        try {
          return await run({ driver, path: join(dir, 'bench.db'), runMigrations: true });
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      })();

const report = { at: new Date().toISOString(), driver, machine: describeMachine(), ...result };
mkdirSync('bench/results/webhooks', { recursive: true });
writeFileSync(`bench/results/webhooks/${report.at.replaceAll(':', '-')}-${driver}.json`, `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
