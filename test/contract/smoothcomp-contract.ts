import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplayServer } from '../../apps/replay/replay-server.js';
import type { HttpFetcher } from '../../src/adapters/fetch/http-fetcher.js';
import type { Storage } from '../../src/adapters/storage/shared/storage.js';
import { HandlerRegistry } from '../../src/application/handler-registry.js';
import { Worker } from '../../src/application/worker.js';
import type { JobDetails, JsonObject } from '../../src/core/job.js';
import { loadConfig } from '../../src/platform/config.js';
import { createFetcher } from '../../src/platform/fetcher.js';
import { createHandlers } from '../../src/platform/handlers.js';
import { migrateDatabase, openStorage } from '../../src/platform/storage.js';
import { databaseConfig, type TestDatabase } from '../support/test-databases.js';
import { waitFor } from '../support/wait-for.js';

/** Each Smoothcomp pipeline through the real worker and fetcher against the replay server. */
export function describeSmoothcompContract(driver: 'postgres' | 'sqlite', createDatabase: () => Promise<TestDatabase>): void {
  describe(`Smoothcomp pipelines against the replay server (${driver})`, () => {
    let database: TestDatabase;
    let storage: Storage;
    let replay: ReplayServer;
    let fetcher: HttpFetcher;
    let worker: Worker;

    const run = async (pipeline: string, scope: JsonObject): Promise<JobDetails> => {
      const [result] = await storage.jobs.enqueueJobs([{ pipeline, scope, maxAttempts: 2 }]);
      const id = result!.job.id;
      return waitFor(`${pipeline} job ${id}`, async () => {
        const details = await storage.jobs.getJob(id);
        return details !== null && ['succeeded', 'failed', 'exhausted', 'cancelled'].includes(details.job.state) ? details : undefined;
      });
    };
    const decisionOf = async (details: JobDetails) => (await storage.ingestion.getNormalizedResult(details.job.id))?.decision;

    beforeAll(async () => {
      database = await createDatabase();
      replay = await new ReplayServer().start();
      const config = loadConfig({
        DATABASE_DRIVER: driver,
        DATABASE_DSN: database.dsn,
        SMOOTHCOMP_BASE_URL_OVERRIDE: replay.origin,
        SMOOTHCOMP_REQUESTS_PER_MINUTE: '10000',
        SMOOTHCOMP_MAX_CONCURRENCY_PER_HOST: '8',
        FETCH_CONTACT: 'tests@localhost',
      });
      await migrateDatabase(databaseConfig(driver, database.dsn));
      storage = openStorage(databaseConfig(driver, database.dsn));
      fetcher = createFetcher(config);
      worker = new Worker({
        repository: storage.jobs,
        handlers: new HandlerRegistry(createHandlers({ fetcher, store: storage.ingestion })),
        workerId: 'smoothcomp-test',
        concurrency: 4,
        leaseMs: 10_000,
        heartbeatIntervalMs: 2_000,
        pollIntervalMs: 50,
        retryPolicy: { baseDelayMs: 50, maxDelayMs: 100 },
        logger: pino({ level: 'silent' }),
      });
      await worker.start();
    });


    afterAll(async () => {
      await worker.stop(2_000);
      await fetcher.close();
      await replay.stop();
      await storage.jobs.close();
      await database.drop();
    });

    it.each([
      ['smoothcomp.event_participants', { host: 'smoothcomp.com', event_id: '21001' }, 'participants/event-21001.json', 'participants/event-21001-changed.json'],
      ['smoothcomp.event_detail', { host: 'ibjjf.smoothcomp.com', event_id: '21001' }, 'event_detail/event-21001-info.json', 'event_detail/event-21001-info-changed.json'],
      ['smoothcomp.athlete_profile_enrichment', { host: 'smoothcomp.com', profile_id: '5501' }, 'athletes/profile-5501-events-2.json', 'athletes/profile-5501-events-2-changed.json'],
      ['smoothcomp.academy_catalog', { host: 'smoothcomp.com', country: 'US' }, 'academies/clubs-us-page-1.html', 'academies/clubs-us-page-1-changed.html'],
    ] as const)('%s: first run publishes, a re-run skips, a changed fixture publishes version 2', async (pipeline, scope, original, changed) => {
      const first = await run(pipeline, scope);
      expect(first.job.failure).toBeNull();
      expect(await decisionOf(first)).toBe('PUBLISH_CHANGED');
      expect(await decisionOf(await run(pipeline, scope))).toBe('SKIP_NO_CHANGE');
      replay.replace(original, changed);
      const after = await run(pipeline, scope);
      expect(await decisionOf(after)).toBe('PUBLISH_CHANGED');
      expect(await storage.ingestion.latestPublication(pipeline, first.job.scopeKey)).toMatchObject({ version: 2, classification: 'CONTENT_CHANGED' });
      replay.replace(original, original);
    });

    it('event catalog: publishes, skips an unchanged re-run, publishes the next version on change', async () => {
      const scope = { host: 'smoothcomp.com', country: 'US', event_type: 'upcoming' };
      const first = await run('smoothcomp.event_catalog', scope);
      expect(first.job.state).toBe('succeeded');
      expect(await decisionOf(first)).toBe('PUBLISH_CHANGED');
      const published = await storage.ingestion.findLatestPublications('smoothcomp.event_catalog', { country: 'US', event_type: 'upcoming' }, 5);
      expect(published).toHaveLength(1);
      expect((published[0]!.envelope.content as { records: unknown[] }).records).toHaveLength(3);

      const again = await run('smoothcomp.event_catalog', scope);
      expect(await decisionOf(again)).toBe('SKIP_NO_CHANGE');
      expect((await storage.ingestion.listSnapshots(again.job.id)).every((s) => s.notModified)).toBe(true);

      replay.replace('events/us-upcoming-page-1.html', 'events/us-upcoming-page-1-changed.html');
      const changed = await run('smoothcomp.event_catalog', scope);
      expect(await decisionOf(changed)).toBe('PUBLISH_CHANGED');
      const latest = await storage.ingestion.latestPublication('smoothcomp.event_catalog', first.job.scopeKey);
      expect(latest).toMatchObject({ version: 2, classification: 'CONTENT_CHANGED' });
    });

    it('event catalog on an organiser subdomain, across three pages with a repeated event', async () => {
      const details = await run('smoothcomp.event_catalog', { host: 'adcc.smoothcomp.com', country: 'BR', event_type: 'past' });
      expect(details.job).toMatchObject({ state: 'succeeded', counters: { snapshots: 3, records: 2 } });
    });

    it('event catalog: markup drift fails as a parse error and a challenge page as blocked, both snapshots kept', async () => {
      const drift = await run('smoothcomp.event_catalog', { host: 'smoothcomp.com', country: 'SE', event_type: 'upcoming' });
      expect(drift.job).toMatchObject({ state: 'failed', failure: { category: 'parse', code: 'EVENTS_ARRAY_NOT_FOUND' } });
      expect(await storage.ingestion.listSnapshots(drift.job.id)).toHaveLength(1);

      const [blocked] = await storage.jobs.enqueueJobs([
        { pipeline: 'smoothcomp.event_catalog', scope: { host: 'smoothcomp.com', country: 'GB', event_type: 'upcoming' }, maxAttempts: 2 },
      ]);
      const details = await waitFor('the blocked attempt', async () => {
        const d = await storage.jobs.getJob(blocked!.job.id);
        return d?.job.failure?.category === 'blocked' ? d : undefined;
      });
      expect(details.job).toMatchObject({ state: 'pending', failure: { code: 'CHALLENGE_PAGE' } });
      expect((await storage.ingestion.listSnapshots(blocked!.job.id)).map((s) => s.status)).toEqual([403]);
      await storage.jobs.cancelJob(blocked!.job.id);
    });

    it('event detail: publishes an organiser-subdomain event, then skips the re-run', async () => {
      const scope = { host: 'ibjjf.smoothcomp.com', event_id: '21001' };
      const first = await run('smoothcomp.event_detail', scope);
      expect(first.job.failure).toBeNull();
      expect(first.job).toMatchObject({ state: 'succeeded', counters: { snapshots: 2, records: 1 } });
      expect(await decisionOf(first)).toBe('PUBLISH_CHANGED');
      expect(await decisionOf(await run('smoothcomp.event_detail', scope))).toBe('SKIP_NO_CHANGE');
      const [latest] = await storage.ingestion.findLatestPublications('smoothcomp.event_detail', { event_id: '21001' }, 5);
      expect(latest?.envelope.content).toMatchObject({ records: [{ organizer: 'Bay Grappling League' }] });
    });

    it('athlete profile: pages through the history and publishes the athlete with a summary', async () => {
      const details = await run('smoothcomp.athlete_profile_enrichment', { host: 'smoothcomp.com', profile_id: '5501' });
      expect(details.job.failure).toBeNull();
      expect(details.job).toMatchObject({ state: 'succeeded', counters: { snapshots: 3, records: 1 } });
      const [latest] = await storage.ingestion.findLatestPublications('smoothcomp.athlete_profile_enrichment', { profile_id: '5501' }, 5);
      expect(latest?.envelope.content).toMatchObject({ records: [{ name: 'João Pedro Araújo', summary: { wins: 3, losses: 2 } }] });
    });

    it('academy catalog: by club ids and by country', async () => {
      const byIds = await run('smoothcomp.academy_catalog', { host: 'smoothcomp.com', club_ids: ['880', '881'] });
      expect(byIds.job).toMatchObject({ state: 'succeeded', counters: { snapshots: 2, records: 2 } });
      const byCountry = await run('smoothcomp.academy_catalog', { host: 'smoothcomp.com', country: 'US' });
      expect(byCountry.job).toMatchObject({ state: 'succeeded', counters: { snapshots: 2, records: 2 } });
      expect(await decisionOf(byCountry)).toBe('PUBLISH_CHANGED');
    });

    it('event participants: XHR POST with the CSRF token, published, then skipped on a re-run', async () => {
      const scope = { host: 'smoothcomp.com', event_id: '21001' };
      const first = await run('smoothcomp.event_participants', scope);
      expect(first.job).toMatchObject({ state: 'succeeded', counters: { records: 3 } });
      expect(await decisionOf(first)).toBe('PUBLISH_CHANGED');
      const again = await run('smoothcomp.event_participants', scope);
      expect(await decisionOf(again)).toBe('SKIP_NO_CHANGE');
      const empty = await run('smoothcomp.event_participants', { host: 'smoothcomp.com', event_id: '21005' });
      expect(empty.job).toMatchObject({ state: 'succeeded', counters: { records: 0 } });
      const drift = await run('smoothcomp.event_participants', { host: 'smoothcomp.com', event_id: '21009' });
      expect(drift.job).toMatchObject({ state: 'failed', failure: { category: 'parse' } });
    });
  });
}
