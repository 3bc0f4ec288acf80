import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgPool, createPostgresStorage } from '../../src/adapters/storage/postgres/create-postgres-job-repository.js';
import { PgDatabase } from '../../src/adapters/storage/postgres/pg-database.js';
import { pgDialect } from '../../src/adapters/storage/postgres/pg-dialect.js';
import { recordIngestionResult } from '../../src/adapters/storage/shared/queries/record-ingestion-result.js';
import type { Storage } from '../../src/adapters/storage/shared/storage.js';
import { normalizedHash } from '../../src/core/content-hashes.js';
import type { IngestionResultInput } from '../../src/core/ingestion-store.js';
import { leaseOf, type Job, type JsonObject } from '../../src/core/job.js';
import type { ChangeFeedPage, OutboxEvent } from '../../src/core/outbox.js';
import { migrateDatabase, openStorage } from '../../src/platform/storage.js';
import { ageOutboxEvents } from '../support/database-clock.js';
import { databaseConfig, type TestDatabase } from '../support/test-databases.js';
import { sleep, waitFor } from '../support/wait-for.js';

const HOUR = 3_600_000;

/** What a successful execution hands the settle, for content `records`. */
function ingestionOf(scope: JsonObject, records: JsonObject[], extra: Partial<IngestionResultInput> = {}): IngestionResultInput {
  const payload = { records };
  return {
    scope,
    sourceSnapshotIds: [],
    sourceSnapshotHash: normalizedHash({ source: records }),
    normalizedHash: normalizedHash(payload),
    parserVersion: '1',
    normalizerVersion: '1',
    payload,
    forced: false,
    ...extra,
  };
}

function events(page: ChangeFeedPage): OutboxEvent[] {
  if (!page.ok) throw new Error(`expected events, got ${page.reason}`);
  return page.events;
}

/**
 * The outbox and its change feed: one event per publication, written with it; read in an order no
 * later commit can break, page after page, filtered, kept to its retention.
 */
export function describeOutboxContract(driver: 'postgres' | 'sqlite', createDatabase: () => Promise<TestDatabase>): void {
  describe(`outbox and change feed (${driver})`, () => {
    let database: TestDatabase;
    let storage: Storage;
    const opened: Storage[] = [];
    let seq = 0;

    /**
     * Enqueues a job of `pipeline` for `scope` and claims one: this one, unless a concurrent
     * publisher took it first (then another, or none).
     */
    const claimOne = async (store: Storage, pipeline: string, scope: JsonObject): Promise<Job | undefined> => {
      await store.jobs.enqueueJobs([{ pipeline, scope, params: {}, maxAttempts: 3, forceRepublish: false }]);
      const [job] = await store.jobs.claimJobs({ workerId: `w-${++seq}`, limit: 1, leaseMs: 60_000 });
      return job;
    };
    const claimed = async (store: Storage, pipeline: string, scope: JsonObject): Promise<Job> => {
      const job = await claimOne(store, pipeline, scope);
      if (job === undefined) throw new Error('nothing to claim');
      return job;
    };
    /** Runs a job to success with `records`; the version it published, or null. */
    const publish = async (store: Storage, pipeline: string, scope: JsonObject, records: JsonObject[], extra: Partial<IngestionResultInput> = {}) => {
      const job = await claimOne(store, pipeline, scope);
      if (job === undefined) return null;
      const result = await store.jobs.completeJob(leaseOf(job), { ingestion: ingestionOf(job.scope, records, extra) });
      return result.applied ? (result.publication?.version ?? null) : null;
    };
    const readAll = async (filters: { pipeline?: string; scopeKey?: string } = {}, limit = 1000, after?: string) => {
      const all: OutboxEvent[] = [];
      let cursor = after;
      for (;;) {
        const page = await storage.changes.read({ limit, ...filters, ...(cursor === undefined ? {} : { after: cursor }) });
        const got = events(page);
        all.push(...got);
        if (!page.ok) throw new Error('unreachable');
        cursor = page.nextCursor;
        if (got.length < limit) return { events: all, cursor };
      }
    };

    /**
     * Events become readable only once every older writing transaction in the cluster has ended
     * (other databases' too), so a test waits for what it wrote instead of reading at once.
     */
    const readUntil = (count: number, filters: { pipeline?: string; scopeKey?: string } = {}, limit = 1000, after?: string) =>
      waitFor(`${count} events to be readable`, async () => {
        const read = await readAll(filters, limit, after);
        return read.events.length >= count ? read : undefined;
      });
    /** A cursor after every event committed so far: publishes a marker and waits until it is read. */
    const settledCursor = async () => {
      const marker = { name: `marker-${++seq}` };
      expect(await publish(storage, 'outbox.marker', marker, [{}])).toBe(1);
      return waitFor('the marker event', async () => {
        const read = await readAll();
        return read.events.at(-1)?.scopeKey === JSON.stringify(marker) ? read.cursor : undefined;
      });
    };

    beforeAll(async () => {
      database = await createDatabase();
      const config = databaseConfig(driver, database.dsn);
      await migrateDatabase(config);
      storage = openStorage(config);
    });

    afterAll(async () => {
      await Promise.all(opened.map((s) => s.jobs.close()));
      await storage.jobs.close();
      await database.drop();
    });

    it('writes one event per publication, with the publication, and none for a skipped run', async () => {
      const pipeline = 'outbox.basic';
      const scope = { name: 'basic' };
      const scopeKey = JSON.stringify(scope);
      const before = await settledCursor();

      expect(await publish(storage, pipeline, scope, [{ id: 1 }])).toBe(1);
      expect(await publish(storage, pipeline, scope, [{ id: 1 }])).toBeNull();
      expect(await publish(storage, pipeline, scope, [{ id: 2 }])).toBe(2);

      const read = await readUntil(2, { pipeline }, 10, before);
      const v1 = await storage.ingestion.listPublications({ pipeline, scopeKey, limit: 10 });
      const [second, first] = v1.publications;
      expect(read.events).toHaveLength(2);
      expect(read.events[0]).toMatchObject({
        type: 'publication.created',
        pipeline,
        scopeKey,
        scope,
        publicationId: first!.id,
        version: 1,
        envelopeHash: first!.envelopeHash,
        supersedes: null,
      });
      expect(read.events[1]).toMatchObject({ publicationId: second!.id, version: 2, envelopeHash: second!.envelopeHash, supersedes: first!.id });
      expect(read.events[0]!.occurredAt).toBeInstanceOf(Date);
      expect(read.events[0]!.id).not.toBe(read.events[1]!.id);
      // Nothing new: the cursor of an empty page reads nothing again.
      expect(events(await storage.changes.read({ limit: 10, after: read.cursor }))).toEqual([]);
    });

    it('leaves no event when the publication is rolled back', async () => {
      const pipeline = 'outbox.rollback';
      const job = await claimed(storage, pipeline, { name: 'rollback' });
      const failing = ingestionOf(job.scope, [{ id: 1 }], {
        describeChange: () => {
          throw new Error('describing the change failed');
        },
      });
      await expect(storage.jobs.completeJob(leaseOf(job), { ingestion: failing })).rejects.toThrow('describing the change failed');
      expect((await readAll({ pipeline })).events).toEqual([]);
      expect(await storage.ingestion.latestPublication(pipeline, JSON.stringify(job.scope))).toBeNull();
      // The job is still its worker's: settled again, it publishes, and the event appears.
      const settled = await storage.jobs.completeJob(leaseOf(job), { ingestion: ingestionOf(job.scope, [{ id: 1 }]) });
      expect(settled).toMatchObject({ applied: true, publication: { version: 1 } });
      expect((await readUntil(1, { pipeline })).events.map((e) => e.version)).toEqual([1]);
    });

    it('pages through 1,000 events 37 at a time exactly as one full read, and filters by pipeline and scope', async () => {
      const start = await settledCursor();
      const pipelines = ['outbox.paging-a', 'outbox.paging-b'];
      // 1,000 publications over 40 scopes of two pipelines, 25 versions each, interleaved.
      const jobs: Job[] = [];
      const scopes = Array.from({ length: 40 }, (_, i) => ({ pipeline: pipelines[i % 2]!, scope: { name: `s${i}` } }));
      for (let round = 0; round < 25; round++) {
        await storage.jobs.enqueueJobs(scopes.map((s) => ({ pipeline: s.pipeline, scope: s.scope, params: { round }, maxAttempts: 3, forceRepublish: false })));
        for (;;) {
          const batch = await storage.jobs.claimJobs({ workerId: 'pager', limit: 100, leaseMs: 60_000 });
          if (batch.length === 0) break;
          jobs.push(...batch);
          for (const job of batch) {
            const result = await storage.jobs.completeJob(leaseOf(job), { ingestion: ingestionOf(job.scope, [{ round: Number(job.params.round) }]) });
            expect(result).toMatchObject({ applied: true });
          }
        }
      }
      expect(jobs).toHaveLength(1000);
      await readUntil(1000, {}, 1000, start);

      const full = await storage.changes.read({ limit: 1000, after: start });
      expect(events(full)).toHaveLength(1000);
      const paged = await readAll({}, 37, start);
      expect(paged.events.map((e) => e.id)).toEqual(events(full).map((e) => e.id));
      expect(paged.events.map((e) => e.cursor)).toEqual(events(full).map((e) => e.cursor));
      expect(new Set(paged.events.map((e) => e.id)).size).toBe(1000);
      // Each scope's versions in order.
      const versions = new Map<string, number[]>();
      for (const e of paged.events) versions.set(`${e.pipeline} ${e.scopeKey}`, [...(versions.get(`${e.pipeline} ${e.scopeKey}`) ?? []), e.version]);
      for (const list of versions.values()) expect(list).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));

      const onlyA = await readAll({ pipeline: 'outbox.paging-a' }, 37, start);
      expect(onlyA.events).toHaveLength(500);
      expect(onlyA.events.every((e) => e.pipeline === 'outbox.paging-a')).toBe(true);
      const scopeKey = JSON.stringify({ name: 's3' });
      const oneScope = await readAll({ pipeline: 'outbox.paging-b', scopeKey }, 7, start);
      expect(oneScope.events.map((e) => e.version)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
      expect(oneScope.events.every((e) => e.scopeKey === scopeKey)).toBe(true);
      // A filtered read that ran to the end continues where an unfiltered one would.
      expect(oneScope.cursor).toBe(paged.cursor);
      expect(events(await storage.changes.read({ limit: 5, pipeline: 'outbox.none' }))).toEqual([]);
    });

    it('refuses a cursor it did not issue', async () => {
      for (const after of ['', 'garbage', 'bzE6MTox===', Buffer.from('o1:01:2').toString('base64url'), Buffer.from('o1:-1:2').toString('base64url')]) {
        expect(await storage.changes.read({ limit: 10, after })).toEqual({ ok: false, reason: 'invalid_cursor' });
      }
      // Well formed, but beyond anything this outbox ever held.
      const beyond = Buffer.from('o1:9000000000000000000:1').toString('base64url');
      expect(await storage.changes.read({ limit: 10, after: beyond })).toEqual({ ok: false, reason: 'invalid_cursor' });
      await expect(storage.changes.read({ limit: 0 })).rejects.toThrow(RangeError);
      await expect(storage.changes.read({ limit: 1001 })).rejects.toThrow(RangeError);
    });

    it('wakes a waiting reader when an event is committed, and times out quietly otherwise', async () => {
      const controller = new AbortController();
      // Earlier tests' announcements (sent after their commits, on a later turn of the event loop) go first.
      await new Promise((resolve) => setImmediate(resolve));
      expect(await storage.changes.waitForChange(controller.signal, 50)).toBe(false);
      const waiting = storage.changes.waitForChange(controller.signal, 60_000);
      // The first wait subscribes; publish until the waiter hears (a notification sent before the
      // subscription was in place is not heard, which is why readers also recheck).
      let woken: boolean | undefined;
      void waiting.then((value) => (woken = value));
      let n = 0;
      await waitFor('the waiting reader to wake', async () => {
        await publish(storage, 'outbox.wake', { name: `wake-${n++}` }, [{ id: 1 }]);
        await sleep(50);
        return woken;
      });
      expect(woken).toBe(true);
      const aborted = new AbortController();
      const abortedWait = storage.changes.waitForChange(aborted.signal, 60_000);
      aborted.abort();
      expect(await abortedWait).toBe(false);
    });

    it('prunes events past retention; an older cursor reads cursor_expired with the oldest valid cursor', async () => {
      const pipeline = 'outbox.retention';
      const start = await settledCursor();
      for (let i = 0; i < 5; i++) await publish(storage, pipeline, { name: `old-${i}` }, [{ id: i }]);
      const old = await readUntil(5, {}, 1000, start);
      expect(old.events).toHaveLength(5);
      await ageOutboxEvents(driver, database.dsn, 200 * HOUR);
      for (let i = 0; i < 3; i++) await publish(storage, pipeline, { name: `new-${i}` }, [{ id: i }]);
      const afterOld = old.cursor;

      // A pass removes only events no open transaction can still precede (an autovacuum ANALYZE
      // holds a transaction id too), so prune until the aged events are gone.
      await waitFor('the aged events to be removed', async () => {
        await storage.changes.prune(168 * HOUR);
        const page = await storage.changes.read({ limit: 10, after: old.events[3]!.cursor });
        return !page.ok && page.reason === 'cursor_expired';
      });
      // Nothing left from before the retention period.
      const expired = await storage.changes.read({ limit: 10, after: start });
      expect(expired).toEqual({ ok: false, reason: 'cursor_expired', oldestCursor: expect.any(String) as string });
      if (expired.ok || expired.reason !== 'cursor_expired') throw new Error('unreachable');
      expect(await storage.changes.read({ limit: 10, after: old.events[2]!.cursor })).toMatchObject({ reason: 'cursor_expired' });
      // The oldest valid cursor reads the retained events, as does a read from the beginning.
      const retained = await readUntil(3, {}, 2, expired.oldestCursor);
      expect(retained.events.map((e) => e.scopeKey)).toEqual([0, 1, 2].map((i) => JSON.stringify({ name: `new-${i}` })));
      expect((await readAll()).events.map((e) => e.id)).toEqual(retained.events.map((e) => e.id));
      // A cursor at or after the newest pruned event is still good.
      expect(events(await storage.changes.read({ limit: 10, after: afterOld })).map((e) => e.id)).toEqual(retained.events.map((e) => e.id));
      expect(await storage.changes.prune(168 * HOUR)).toEqual({ deleted: 0 });
    });

    it('under many concurrent publishers, a paging reader reads every committed event once, each scope in order', async () => {
      const start = await settledCursor();
      const pipeline = 'outbox.fuzz';
      const publishers = Array.from({ length: 4 }, () => {
          const store = driver === 'postgres' ? createPostgresStorage({ connectionString: database.dsn, maxConnections: 2 }) : openStorage(databaseConfig(driver, database.dsn));
          opened.push(store);
          return store;
        });
      const published: number[] = [];
      let publishing = true;
      const read: OutboxEvent[] = [];
      let cursor = start;
      const reader = (async () => {
        for (let idle = 0; publishing || idle < 3; ) {
          const page = await storage.changes.read({ limit: 7, after: cursor, pipeline });
          if (!page.ok) throw new Error(page.reason);
          read.push(...page.events);
          cursor = page.nextCursor;
          if (page.events.length === 0) {
            if (!publishing && read.length >= published.length) idle++;
            await sleep(5);
          }
        }
      })();
      const until = Date.now() + 3_000;
      await Promise.all(
        publishers.map(async (store, p) => {
          for (let i = 0; Date.now() < until; i++) {
            const version = await publish(store, pipeline, { name: `fuzz-${(p + i) % 6}` }, [{ p, i }]);
            if (version !== null) published.push(version);
          }
          // Jobs another publisher enqueued and nobody claimed yet are settled too: none is left pending.
          for (let i = 0; ; i++) {
            const [job] = await store.jobs.claimJobs({ workerId: `drain-${p}`, limit: 1, leaseMs: 60_000 });
            if (job === undefined) return;
            const result = await store.jobs.completeJob(leaseOf(job), { ingestion: ingestionOf(job.scope, [{ p, drain: i }]) });
            if (result.applied && result.publication?.version !== null && result.publication?.version !== undefined) published.push(result.publication.version);
          }
        }),
      );
      publishing = false;
      await reader;

      const committed = await storage.ingestion.findLatestPublications(pipeline, {}, 100);
      const total = committed.reduce((sum, p) => sum + p.version, 0);
      expect(published.length).toBe(total);
      expect(read.length).toBe(total);
      expect(new Set(read.map((e) => e.id)).size).toBe(total);
      expect(new Set(read.map((e) => e.publicationId)).size).toBe(total);
      const byScope = new Map<string, number[]>();
      for (const e of read) byScope.set(e.scopeKey, [...(byScope.get(e.scopeKey) ?? []), e.version]);
      for (const [scopeKey, versions] of byScope) {
        const latest = committed.find((p) => p.scopeKey === scopeKey)!.version;
        expect(versions).toEqual(Array.from({ length: latest }, (_, i) => i + 1));
      }
    }, 60_000);

    it.runIf(driver === 'postgres')(
      'delivers nothing past an event whose transaction is still open: A takes the first id, B the next and commits, then A commits',
      async () => {
        const start = await settledCursor();
        const pipeline = 'outbox.commit-order';
        const jobA = await claimed(storage, pipeline, { name: 'a' });
        const separate = new PgDatabase(createPgPool({ connectionString: database.dsn, maxConnections: 1 }));
        let inserted!: () => void;
        const aInserted = new Promise<void>((resolve) => (inserted = resolve));
        let commitA!: () => void;
        const aMayCommit = new Promise<void>((resolve) => (commitA = resolve));
        try {
          // A: the real publishing path on its own connection, held open after its event is written.
          const a = separate.transaction(async (s) => {
            const result = await recordIngestionResult(s, pgDialect, leaseOf(jobA), { pipeline, scopeKey: JSON.stringify(jobA.scope) }, ingestionOf(jobA.scope, [{ id: 'a' }]));
            inserted();
            await aMayCommit;
            return result;
          });
          await aInserted;
          // B: an ordinary settle on another connection, committed.
          expect(await publish(storage, pipeline, { name: 'b' }, [{ id: 'b' }])).toBe(1);
          expect(await storage.ingestion.latestPublication(pipeline, JSON.stringify({ name: 'b' }))).not.toBeNull();

          const whileOpen = await readAll({}, 10, start);
          expect(whileOpen.events).toEqual([]);
          // The cursor of that empty page must not have moved past A's event.
          const resumeFrom = whileOpen.cursor;

          commitA();
          expect(await a).toMatchObject({ version: 1 });
          const delivered = await waitFor('both events', async () => {
            const got = await readAll({}, 10, resumeFrom);
            return got.events.length === 2 ? got.events : undefined;
          });
          expect(delivered.map((e) => e.scopeKey)).toEqual([JSON.stringify({ name: 'a' }), JSON.stringify({ name: 'b' })]);
          expect(BigInt(delivered[0]!.id)).toBeLessThan(BigInt(delivered[1]!.id));
        } finally {
          commitA();
          await separate.close();
        }
      },
    );

    it.runIf(driver === 'postgres')('a rolled-back transaction that took an event id holds back nothing once it ends', async () => {
      const start = await settledCursor();
      const pipeline = 'outbox.rolled-back';
      const jobA = await claimed(storage, pipeline, { name: 'a' });
      const separate = new PgDatabase(createPgPool({ connectionString: database.dsn, maxConnections: 1 }));
      let inserted!: () => void;
      const aInserted = new Promise<void>((resolve) => (inserted = resolve));
      let abortA!: () => void;
      const aMayEnd = new Promise<void>((resolve) => (abortA = resolve));
      try {
        const a = separate.transaction(async (s) => {
          await recordIngestionResult(s, pgDialect, leaseOf(jobA), { pipeline, scopeKey: JSON.stringify(jobA.scope) }, ingestionOf(jobA.scope, [{ id: 'a' }]));
          inserted();
          await aMayEnd;
          throw new Error('rolled back on purpose');
        });
        await aInserted;
        expect(await publish(storage, pipeline, { name: 'b' }, [{ id: 'b' }])).toBe(1);
        expect((await readAll({}, 10, start)).events).toEqual([]);
        abortA();
        await expect(a).rejects.toThrow('rolled back on purpose');
        const delivered = await waitFor('the committed event', async () => {
          const got = await readAll({}, 10, start);
          return got.events.length > 0 ? got.events : undefined;
        });
        expect(delivered.map((e) => e.scopeKey)).toEqual([JSON.stringify({ name: 'b' })]);
      } finally {
        abortA();
        await separate.close();
      }
    });
  });
}
