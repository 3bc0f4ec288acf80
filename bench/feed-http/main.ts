import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/platform/config.js';
import { createFetcher } from '../../src/platform/fetcher.js';
import { createHandlers } from '../../src/platform/handlers.js';
import { createLogger } from '../../src/platform/logger.js';
import { buildApi } from '../../src/platform/start-api.js';
import { migrateDatabase, openStorage } from '../../src/platform/storage.js';
import { describeMachine } from '../compare/machine.js';
import { seedPublications } from '../support/seed-publications.js';
import { withThrowawayDatabase } from '../support/throwaway-database.js';

/**
 * `npm run bench:feed-http [-- --events 5000 --rounds 3]`: publishes N events through the real
 * success settle, starts the API on loopback, and reads the whole feed over HTTP
 * (GET /internal/v1/changes, one keep-alive client, page after page) R times per page size, on
 * PostgreSQL (TEST_DATABASE_URL, or an embedded server started here) and SQLite. Reports pages and
 * events per second. Writes bench/results/feed-http/.
 */
const arg = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : (process.argv[index + 1] ?? fallback);
};
const eventCount = Number(arg('events', '5000'));
const rounds = Number(arg('rounds', '3'));
const PAGE_SIZES = [100, 1000];
const TOKEN = 'bench-token-0123456789abcdef';
const log = (line: string) => process.stderr.write(`${line}\n`);

interface Measurement {
  pageSize: number;
  events: number;
  pagesPerSecond: number;
  eventsPerSecond: number;
}

async function readAll(base: string, pageSize: number): Promise<{ events: number; pages: number }> {
  let cursor: string | undefined;
  let events = 0;
  let pages = 0;
  for (;;) {
    const response = await fetch(`${base}/internal/v1/changes?limit=${pageSize}${cursor === undefined ? '' : `&after=${cursor}`}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    if (response.status !== 200) throw new Error(`status ${response.status}: ${await response.text()}`);
    const page = (await response.json()) as { events: unknown[]; next_cursor: string };
    pages += 1;
    events += page.events.length;
    cursor = page.next_cursor;
    if (page.events.length < pageSize) return { events, pages };
  }
}

async function measure(env: Record<string, string>, publishers: number): Promise<Measurement[]> {
  const config = loadConfig({ ...env, INTERNAL_AUTH_TOKEN: TOKEN, LOG_LEVEL: 'silent', HTTP_HOST: '127.0.0.1', HTTP_PORT: '0' });
  await migrateDatabase(config.database);
  const storage = openStorage(config.database);
  const handlers = createHandlers({ fetcher: createFetcher(config), store: storage.ingestion }, []);
  const { app } = await buildApi(config, storage, createLogger('silent'), handlers);
  try {
    const seeding = performance.now();
    await seedPublications(storage, eventCount, publishers);
    log(`  seeded ${eventCount} publications in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const results: Measurement[] = [];
    for (const pageSize of PAGE_SIZES) {
      const warm = await readAll(base, pageSize);
      if (warm.events !== eventCount) throw new Error(`read ${warm.events} of ${eventCount} events`);
      const started = performance.now();
      let events = 0;
      let pages = 0;
      for (let r = 0; r < rounds; r++) {
        const read = await readAll(base, pageSize);
        events += read.events;
        pages += read.pages;
      }
      const seconds = (performance.now() - started) / 1000;
      results.push({ pageSize, events: events / rounds, pagesPerSecond: Math.round(pages / seconds), eventsPerSecond: Math.round(events / seconds) });
      log(`  page ${pageSize}: ${Math.round(pages / seconds)} pages/s, ${Math.round(events / seconds)} events/s`);
    }
    return results;
  } finally {
    await app.close();
    await storage.jobs.close();
  }
}

log(`PostgreSQL: ${eventCount} events, ${rounds} rounds`);
const postgres = await withThrowawayDatabase('bench_feed_http', (dsn) => measure({ DATABASE_DRIVER: 'postgres', DATABASE_DSN: dsn, DATABASE_MAX_OPEN_CONNS: '8' }, 8));
log(`SQLite: ${eventCount} events, ${rounds} rounds`);
const dir = mkdtempSync(join(tmpdir(), 'bench-feed-http-'));
let sqlite: Measurement[];
try {
  sqlite = await measure({ DATABASE_DRIVER: 'sqlite', DATABASE_DSN: join(dir, 'feed.db') }, 1);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const machine = describeMachine();
const result = { events: eventCount, rounds, postgres, sqlite };
const out = fileURLToPath(new URL('../results/feed-http/', import.meta.url));
mkdirSync(out, { recursive: true });
writeFileSync(`${out}${new Date().toISOString().replace(/[:.]/g, '-')}.json`, `${JSON.stringify({ machine, result }, null, 2)}\n`);
for (const [name, rows] of [['PostgreSQL', postgres], ['SQLite', sqlite]] as const) {
  for (const row of rows) console.log(`${name}\tpage ${row.pageSize}\t${row.events} events\t${row.pagesPerSecond} pages/s\t${row.eventsPerSecond} events/s`);
}
