import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Storage } from '../../src/adapters/storage/shared/storage.js';
import { migrateDatabase, openStorage } from '../../src/platform/storage.js';
import type { AppConfig } from '../../src/platform/config.js';
import { describeMachine } from '../compare/machine.js';
import { seedPublications } from '../support/seed-publications.js';
import { withThrowawayDatabase } from '../support/throwaway-database.js';

/**
 * `npm run bench:feed [-- --events 5000 --rounds 5]`: publishes N events through the real success
 * settle (two pipelines, 50 scopes), then reads the whole change feed R times per page size, on
 * PostgreSQL (TEST_DATABASE_URL, or an embedded server started here) and on SQLite (a temporary
 * file). Reports events read per second, unfiltered and filtered to one pipeline. Writes
 * bench/results/feed-read/.
 */
const arg = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : (process.argv[index + 1] ?? fallback);
};
const eventCount = Number(arg('events', '5000'));
const rounds = Number(arg('rounds', '5'));
const PAGE_SIZES = [100, 1000];
const log = (line: string) => process.stderr.write(`${line}\n`);

interface Measurement {
  pageSize: number;
  filter: 'none' | 'pipeline';
  events: number;
  eventsPerSecond: number;
}

async function readAll(storage: Storage, pageSize: number, pipeline?: string): Promise<number> {
  let cursor: string | undefined;
  let read = 0;
  for (;;) {
    const page = await storage.changes.read({ limit: pageSize, ...(cursor === undefined ? {} : { after: cursor }), ...(pipeline === undefined ? {} : { pipeline }) });
    if (!page.ok) throw new Error(page.reason);
    read += page.events.length;
    cursor = page.nextCursor;
    if (page.events.length < pageSize) return read;
  }
}

async function measure(database: AppConfig['database'], publishers: number): Promise<Measurement[]> {
  await migrateDatabase(database);
  const storage = openStorage(database);
  try {
    const seeding = performance.now();
    await seedPublications(storage, eventCount, publishers);
    log(`  seeded ${eventCount} publications in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);
    const results: Measurement[] = [];
    for (const pageSize of PAGE_SIZES) {
      for (const filter of ['none', 'pipeline'] as const) {
        await readAll(storage, pageSize, filter === 'pipeline' ? 'bench.feed-a' : undefined); // warm-up
        const started = performance.now();
        let events = 0;
        for (let r = 0; r < rounds; r++) events += await readAll(storage, pageSize, filter === 'pipeline' ? 'bench.feed-a' : undefined);
        const seconds = (performance.now() - started) / 1000;
        results.push({ pageSize, filter, events: events / rounds, eventsPerSecond: Math.round(events / seconds) });
        log(`  page ${pageSize}, filter ${filter}: ${Math.round(events / seconds)} events/s`);
      }
    }
    return results;
  } finally {
    await storage.jobs.close();
  }
}

log(`PostgreSQL: ${eventCount} events, ${rounds} rounds`);
const postgres = await withThrowawayDatabase('bench_feed', (dsn) =>
  measure({ driver: 'postgres', dsn, runMigrations: true, maxOpenConns: 8, maxIdleConns: 2, connMaxLifetimeSec: 0 }, 8),
);
log(`SQLite: ${eventCount} events, ${rounds} rounds`);
const dir = mkdtempSync(join(tmpdir(), 'bench-feed-'));
let sqlite: Measurement[];
try {
  sqlite = await measure({ driver: 'sqlite', path: join(dir, 'feed.db'), runMigrations: true }, 1);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const machine = describeMachine();
const result = { events: eventCount, rounds, postgres, sqlite };
const out = fileURLToPath(new URL('../results/feed-read/', import.meta.url));
mkdirSync(out, { recursive: true });
writeFileSync(`${out}${new Date().toISOString().replace(/[:.]/g, '-')}.json`, `${JSON.stringify({ machine, result }, null, 2)}\n`);
for (const [name, rows] of [['PostgreSQL', postgres], ['SQLite', sqlite]] as const) {
  for (const row of rows) console.log(`${name}\tpage ${row.pageSize}\tfilter ${row.filter}\t${row.events} events\t${row.eventsPerSecond} events/s`);
}
