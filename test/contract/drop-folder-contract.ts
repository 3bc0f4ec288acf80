import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { formatClaimName } from '../../src/adapters/static-dataset/drop-folder/claim-name.js';
import type { Storage } from '../../src/adapters/storage/shared/storage.js';
import type { DropRecord } from '../../src/core/snapshot-drops.js';
import { loadConfig } from '../../src/platform/config.js';
import { startAllInOne } from '../../src/platform/start-all-in-one.js';
import { migrateDatabase, openStorage } from '../../src/platform/storage.js';
import { snapshotBytes, snapshotDocument, snapshotRow } from '../support/snapshot-files.js';
import { databaseConfig, sqliteDriverUnderTest, type TestDatabase } from '../support/test-databases.js';
import { sleep, waitFor } from '../support/wait-for.js';

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const day = () => new Date().toISOString().slice(0, 10);

/**
 * The static snapshot drop folder on real folders and a real database (docs/adr/0025): pick-up of
 * stable files only, one job per content, every outcome and where it sends the file, recovery of
 * files left in processing, and moves to another filesystem.
 */
export function describeDropFolderContract(driver: 'postgres' | 'sqlite', createDatabase: () => Promise<TestDatabase>): void {
  describe(`Static snapshot drop folder (${driver})`, () => {
    let database: TestDatabase;
    let root: string;
    let storage: Storage;
    let running: { stop: () => Promise<void> } | undefined;

    beforeEach(async () => {
      database = await createDatabase();
      await migrateDatabase(databaseConfig(driver, database.dsn));
      storage = openStorage(databaseConfig(driver, database.dsn));
      root = mkdtempSync(join(tmpdir(), 'drop-folder-'));
    });

    afterEach(async () => {
      await running?.stop();
      running = undefined;
      await storage.jobs.close();
      await database.drop();
      rmSync(root, { recursive: true, force: true });
    });

    const incoming = () => join(root, 'incoming');
    /** The API and a worker scanning the drop folder under `root`, as `npm start` runs them. */
    const start = async (env: Record<string, string> = {}) => {
      const config = loadConfig({
        DATABASE_DRIVER: driver,
        DATABASE_DSN: database.dsn,
        DATABASE_SQLITE_DRIVER: sqliteDriverUnderTest(),
        DATABASE_RUN_MIGRATIONS: 'true',
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: '0',
        ALLOW_INSECURE_INTERNAL_AUTH: 'true',
        WORKER_POLL_INTERVAL_SEC: '0.1',
        SCHEDULER_ENABLED: 'false',
        STATIC_DATASET_INCOMING_DIR: incoming(),
        STATIC_DATASET_SCAN_INTERVAL_SEC: '0.1',
        STATIC_DATASET_STABILITY_SEC: '0.3',
        STATIC_DATASET_MAX_FILE_BYTES: '65536',
        ...env,
      });
      mkdirSync(incoming(), { recursive: true });
      const service = await startAllInOne(config, pino({ level: 'silent' }));
      running = service;
      return service;
    };
    const drop = (name: string, bytes: Uint8Array | string) => writeFileSync(join(incoming(), name), bytes);
    const drops = () => storage.drops.listDrops({ limit: 1000 });
    const settled = (fileName: string, timeoutMs = 30_000): Promise<DropRecord> =>
      waitFor(
        `${fileName} to be settled`,
        async () => (await drops()).find((d) => d.fileName === fileName && d.outcome !== 'pending' && d.location !== null),
        timeoutMs,
      );
    const listed = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : []);

    it('imports a valid file once: one job with the file as its snapshot, archived under the day with its name', async () => {
      await start();
      const bytes = snapshotBytes(snapshotDocument('harbour-league', 3));
      drop('players.json', bytes);
      const record = await settled('players.json');
      expect(record).toMatchObject({ outcome: 'imported', sha256: sha(bytes), size: bytes.length, via: 'folder', location: `archive/${day()}/players.json` });
      expect(readFileSync(join(root, 'archive', day(), 'players.json'))).toEqual(bytes);
      expect(listed(incoming())).toEqual([]);
      expect(listed(join(root, 'processing'))).toEqual([]);
      const details = await storage.jobs.getJob(record.jobId ?? '');
      expect(details?.job).toMatchObject({ pipeline: 'static_dataset.snapshot', state: 'succeeded', scope: { source_name: 'harbour-league' } });
      const snapshots = await storage.ingestion.listSnapshots(record.jobId ?? '');
      expect(snapshots).toHaveLength(1);
      expect(snapshots[0]).toMatchObject({ sha256: sha(bytes), size: bytes.length, status: 200, resourceKey: 'players.json' });
      expect(Buffer.from((await storage.ingestion.loadBody(sha(bytes))) ?? new Uint8Array())).toEqual(bytes);
      const result = await storage.ingestion.getNormalizedResult(record.jobId ?? '');
      expect(result).toMatchObject({ decision: 'PUBLISH_CHANGED', recordCount: 3 });
      expect(result?.payload).toMatchObject({ source_name: 'harbour-league', snapshot_date: '2026-11-30' });
    });

    it('takes the same content under another name as a duplicate (archived apart, no second job); other bytes with the same content are SKIP_NO_CHANGE', async () => {
      await start();
      const bytes = snapshotBytes(snapshotDocument('dup-league', 2));
      drop('monday.json', bytes);
      const first = await settled('monday.json');
      drop('tuesday.json', bytes);
      drop('monday-again.json', bytes);
      const second = await settled('tuesday.json');
      const third = await settled('monday-again.json');
      for (const duplicate of [second, third]) {
        expect(duplicate).toMatchObject({ outcome: 'duplicate', jobId: first.jobId, sha256: sha(bytes) });
        expect(duplicate.location).toMatch(new RegExp(`^archive/duplicates/${day()}/`));
      }
      expect(listed(join(root, 'archive', 'duplicates', day()))).toEqual(['monday-again.json', 'tuesday.json']);
      const jobs = await storage.jobs.listJobs({ filter: { pipeline: 'static_dataset.snapshot' }, limit: 50 });
      expect(jobs.jobs).toHaveLength(1);
      // The same records written differently: a new file, a new job, and nothing new to publish.
      const compact = Buffer.from(JSON.stringify(snapshotDocument('dup-league', 2)));
      drop('monday-compact.json', compact);
      const fourth = await settled('monday-compact.json');
      expect(fourth).toMatchObject({ outcome: 'imported', sha256: sha(compact) });
      expect(fourth.jobId).not.toBe(first.jobId);
      expect(await storage.ingestion.getNormalizedResult(fourth.jobId ?? '')).toMatchObject({ decision: 'SKIP_NO_CHANGE' });
      // A corrected file publishes a new version.
      const corrected = snapshotBytes({ ...snapshotDocument('dup-league', 2), records: [snapshotRow(0, { full_name: 'Player Renamed' }), snapshotRow(1)] });
      drop('monday-corrected.json', corrected);
      const fifth = await settled('monday-corrected.json');
      expect(await storage.ingestion.getNormalizedResult(fifth.jobId ?? '')).toMatchObject({ decision: 'PUBLISH_CHANGED' });
    });

    it('moves every kind of invalid file to failed with <name>.error.json listing each problem at its JSON path', async () => {
      await start();
      const valid = snapshotDocument('bad-league', 2);
      const cases: Record<string, { bytes: Uint8Array | string; paths: string[] }> = {
        'not-json.json': { bytes: '{"source_name": "x", ', paths: ['$'] },
        'array.json': { bytes: '[1, 2]', paths: ['$'] },
        'unknown-field.json': { bytes: snapshotBytes({ ...valid, extra: 1 }), paths: ['$.extra'] },
        'missing-field.json': { bytes: snapshotBytes({ ...valid, snapshot_date: undefined as unknown as string }), paths: ['$.snapshot_date'] },
        'bad-dates.json': {
          bytes: snapshotBytes({ ...valid, snapshot_date: '2026-02-30', records: [snapshotRow(0), snapshotRow(1, { birth_date: '17/04/2001' })] }),
          paths: ['$.snapshot_date', '$.records[1].birth_date'],
        },
        'not-numeric.json': {
          bytes: snapshotBytes({ ...valid, records: [snapshotRow(0, { points_per_game: '12.5' }), snapshotRow(1, { unknown_stat: 1 })] }),
          paths: ['$.records[0].points_per_game', '$.records[1].unknown_stat'],
        },
      };
      for (const [name, { bytes }] of Object.entries(cases)) drop(name, bytes);
      for (const [name, { bytes, paths }] of Object.entries(cases)) {
        const record = await settled(name);
        expect(record).toMatchObject({ outcome: 'invalid', jobId: null, location: `failed/${name}`, sha256: sha(Buffer.from(bytes)) });
        const report = JSON.parse(readFileSync(join(root, 'failed', `${name}.error.json`), 'utf8')) as { outcome: string; problems: { path: string; message: string }[] };
        expect(report.outcome).toBe('invalid');
        expect(report.problems.map((p) => p.path)).toEqual(expect.arrayContaining(paths));
        for (const problem of report.problems) expect(problem.message).not.toBe('');
      }
      expect(await storage.jobs.listJobs({ filter: { pipeline: 'static_dataset.snapshot' }, limit: 50 })).toMatchObject({ jobs: [] });
    });

    it('refuses symlinks, directories, empty files and files over the cap, each with its reason', async () => {
      await start();
      mkdirSync(incoming(), { recursive: true });
      const target = join(root, 'elsewhere.json');
      writeFileSync(target, snapshotBytes(snapshotDocument('link-league')));
      symlinkSync(target, join(incoming(), 'linked.json'));
      mkdirSync(join(incoming(), 'a-folder.json'));
      drop('empty.json', '');
      drop('huge.json', Buffer.alloc(70_000, 0x20));
      const reasons: Record<string, RegExp> = { 'linked.json': /symbolic link/, 'a-folder.json': /directory/, 'empty.json': /empty/, 'huge.json': /over the 65536-byte cap/ };
      for (const [name, reason] of Object.entries(reasons)) {
        const record = await settled(name);
        expect(record).toMatchObject({ outcome: 'refused', location: `failed/${name}` });
        const report = JSON.parse(readFileSync(join(root, 'failed', `${name}.error.json`), 'utf8')) as { reason: string };
        expect(report.reason).toMatch(reason);
      }
      expect(readFileSync(target, 'utf8')).toContain('link-league');
      expect(listed(incoming())).toEqual([]);
    });

    it('leaves dotfiles, *.tmp and *.part alone and claims a .tmp file once it is renamed', async () => {
      await start();
      const bytes = snapshotBytes(snapshotDocument('tmp-league', 2));
      drop('.hidden.json', bytes);
      drop('upload.part', bytes);
      drop('feed.json.tmp', bytes);
      renameSync(join(incoming(), 'feed.json.tmp'), join(incoming(), 'feed.json'));
      expect(await settled('feed.json')).toMatchObject({ outcome: 'imported', sha256: sha(bytes) });
      // Two more passes have run over the ignored names.
      drop('later.json', snapshotBytes(snapshotDocument('tmp-league', 3)));
      await settled('later.json');
      expect(listed(incoming())).toEqual(['.hidden.json', 'upload.part']);
    });

    it('does not claim a file appended to over seconds before it is stable, and imports its final bytes', async () => {
      await start({ STATIC_DATASET_STABILITY_SEC: '1' });
      const whole = snapshotBytes(snapshotDocument('slow-league', 40));
      const pieces = 8;
      const size = Math.ceil(whole.length / pieces);
      for (let i = 0; i < pieces; i++) {
        appendFileSync(join(incoming(), 'slow.json'), whole.subarray(i * size, (i + 1) * size));
        expect(listed(incoming()), `claimed after piece ${i + 1} of ${pieces}`).toEqual(['slow.json']);
        await sleep(400);
      }
      const record = await settled('slow.json');
      expect(record).toMatchObject({ outcome: 'imported', sha256: sha(whole), size: whole.length });
      expect((await storage.ingestion.listSnapshots(record.jobId ?? ''))[0]?.sha256).toBe(sha(whole));
    });

    it('picks up every file by scanning alone with the watcher off, including files dropped before it started', async () => {
      mkdirSync(incoming(), { recursive: true });
      for (let i = 0; i < 10; i++) drop(`before-${i}.json`, snapshotBytes(snapshotDocument(`scan-${i}`, 1, i)));
      await start({ STATIC_DATASET_WATCH: 'false', STATIC_DATASET_SCAN_INTERVAL_SEC: '0.2' });
      for (let i = 0; i < 20; i++) drop(`after-${i}.json`, snapshotBytes(snapshotDocument(`scan-${i}`, 1, 100 + i)));
      await waitFor('30 files imported', async () => (await drops()).filter((d) => d.outcome === 'imported' && d.location !== null).length === 30, 60_000);
      expect(listed(join(root, 'archive', day()))).toHaveLength(30);
    });

    it('recovers files left in processing by a worker that stopped: each imported exactly once', async () => {
      const processing = join(root, 'processing');
      mkdirSync(processing, { recursive: true });
      // Claimed, never recorded (stopped right after the rename).
      const a = snapshotBytes(snapshotDocument('crash-a', 2));
      writeFileSync(join(processing, formatClaimName({ sha256: sha(a), token: 'aaaaaaaa1', fileName: 'a.json' })), a);
      // Claimed under a hash it no longer has (written to after hashing).
      const b = snapshotBytes(snapshotDocument('crash-b', 2));
      writeFileSync(join(processing, formatClaimName({ sha256: '0'.repeat(64), token: 'bbbbbbbb1', fileName: 'b.json' })), b);
      // A file a worker took up three times and stopped each time before deciding: poison, not a fourth try.
      const c = snapshotBytes(snapshotDocument('crash-c', 2));
      const cName = formatClaimName({ sha256: sha(c), token: 'cccccccc1', fileName: 'c.json' });
      writeFileSync(join(processing, cName), c);
      await storage.drops.recordDrop({
        claimName: cName, fileName: 'c.json', sha256: sha(c), size: c.length, via: 'folder', jobId: null, outcome: 'pending', location: null, detail: { intake_attempts: 3 },
      });
      await start({ STATIC_DATASET_RECOVER_AFTER_SEC: '0' });
      expect(await settled('a.json')).toMatchObject({ outcome: 'imported', sha256: sha(a) });
      expect(await settled('c.json')).toMatchObject({ outcome: 'poison', location: 'failed/c.json' });
      expect(JSON.parse(readFileSync(join(root, 'failed', 'c.json.error.json'), 'utf8'))).toMatchObject({ outcome: 'poison', reason: expect.stringMatching(/stopped 3 times/) as unknown });
      expect(await settled('b.json')).toMatchObject({ outcome: 'imported', sha256: sha(b) });
      expect(listed(processing)).toEqual([]);
      const jobs = await storage.jobs.listJobs({ filter: { pipeline: 'static_dataset.snapshot' }, limit: 50 });
      expect(jobs.jobs.map((j) => j.state)).toEqual(['succeeded', 'succeeded']);
    });

    describe('with the archive and failed folders on another filesystem', () => {
      let mount: string | undefined;
      let why = '';
      beforeAll(() => {
        const dir = mkdtempSync(join(tmpdir(), 'drop-tmpfs-'));
        try {
          execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', dir], { stdio: 'pipe' });
          mount = dir;
        } catch (error) {
          why = (error as Error).message;
          rmSync(dir, { recursive: true, force: true });
        }
      });
      afterAll(() => {
        if (mount === undefined) return;
        execFileSync('umount', [mount]);
        rmSync(mount, { recursive: true, force: true });
      });

      it('moves across filesystems (EXDEV) by copy, fsync, rename and unlink', async (context) => {
        if (mount === undefined) {
          context.skip(`a tmpfs cannot be mounted here (${why}); move-file.test.ts covers the fallback`);
          return;
        }
        const other = mkdtempSync(join(mount, 'drops-'));
        await start({ STATIC_DATASET_ARCHIVE_DIR: join(other, 'archive'), STATIC_DATASET_FAILED_DIR: join(other, 'failed') });
        const bytes = snapshotBytes(snapshotDocument('exdev-league', 2));
        drop('across.json', bytes);
        drop('broken.json', '{');
        const imported = await settled('across.json');
        expect(imported.location).toBe(join(other, 'archive', day(), 'across.json'));
        expect(readFileSync(join(other, 'archive', day(), 'across.json'))).toEqual(bytes);
        const invalid = await settled('broken.json');
        expect(invalid.location).toBe(join(other, 'failed', 'broken.json'));
        expect(listed(join(other, 'failed'))).toEqual(['broken.json', 'broken.json.error.json']);
        expect(listed(join(other, 'archive', day()))).toEqual(['across.json']);
        expect(listed(join(root, 'processing'))).toEqual([]);
      });
    });
  });
}
