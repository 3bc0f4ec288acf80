import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticDatasetPipeline } from '../../src/adapters/static-dataset/static-dataset-pipeline.js';
import { snapshotBytes, snapshotDocument, snapshotRow } from '../support/snapshot-files.js';
import { startApiHarness, TOKEN, type ApiHarness, type Dialect } from './api-harness.js';

const auth = { authorization: `Bearer ${TOKEN}` };
const json = { ...auth, 'content-type': 'application/json' };
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe.each<Dialect>(['sqlite', 'postgres'])('POST snapshot-drops and the drop records (%s)', (dialect) => {
  let api: ApiHarness;
  let root: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'drop-api-'));
    api = await startApiHarness({ STATIC_DATASET_INCOMING_DIR: join(root, 'incoming'), STATIC_DATASET_MAX_FILE_BYTES: '8192' }, [staticDatasetPipeline], dialect);
  });

  afterAll(async () => {
    await api.close();
    rmSync(root, { recursive: true, force: true });
  });

  const upload = (payload: string | Buffer, headers: Record<string, string> = json) =>
    api.app.inject({ method: 'POST', url: '/internal/v1/snapshot-drops', headers, payload });
  const processing = () => (existsSync(join(root, 'processing')) ? readdirSync(join(root, 'processing')) : []);

  it('accepts a valid snapshot as a pending drop with its job, and the same bytes again as a duplicate of that job', async () => {
    const bytes = snapshotBytes(snapshotDocument('upload-league', 2));
    const first = await upload(bytes);
    expect(first.statusCode).toBe(202);
    const accepted = first.json<{ drop: Record<string, unknown>; job: { id: string; pipeline: string; scope: unknown; state: string } }>();
    expect(accepted.drop).toMatchObject({ outcome: 'pending', via: 'upload', sha256: sha(bytes), size: bytes.length, file_name: 'upload-league-2026-11-30.json', location: null });
    expect(accepted.job).toMatchObject({ pipeline: 'static_dataset.snapshot', scope: { source_name: 'upload-league' }, state: 'pending' });
    const [stored] = processing();
    expect(stored).toBe(`${sha(bytes)}~${stored?.split('~')[1]}~upload-league-2026-11-30.json`);
    expect(readFileSync(join(root, 'processing', stored ?? ''))).toEqual(bytes);

    const again = await upload(bytes);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ drop: { outcome: 'duplicate', job_id: accepted.job.id }, job: { id: accepted.job.id } });
    expect(readdirSync(join(root, 'archive', 'duplicates', new Date().toISOString().slice(0, 10)))).toEqual(['upload-league-2026-11-30.json']);
    expect(processing()).toHaveLength(1);

    const listed = await api.app.inject({ method: 'GET', url: `/internal/v1/snapshot-drops?job_id=${accepted.job.id}`, headers: auth });
    expect(listed.statusCode).toBe(200);
    expect(listed.json<{ drops: { outcome: string }[] }>().drops.map((d) => d.outcome)).toEqual(['duplicate', 'pending']);
    const one = await api.app.inject({ method: 'GET', url: `/internal/v1/snapshot-drops/${String(accepted.drop.id)}`, headers: auth });
    expect(one.json()).toMatchObject({ drop: { id: accepted.drop.id, outcome: 'pending' } });
  });

  it('refuses an invalid snapshot with 400 naming every problem by its path, and stores nothing', async () => {
    const before = processing().length;
    const document = {
      ...snapshotDocument('bad-upload', 2),
      extra: true,
      snapshot_date: '2026-13-01',
      records: [snapshotRow(0, { birth_date: '2001-02-29' }), snapshotRow(1, { games_played: 'many' })],
    };
    const response = await upload(snapshotBytes(document));
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const fields = response.json<{ errors: { field: string }[] }>().errors.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['body.extra', 'body.snapshot_date', 'body.records.0.birth_date', 'body.records.1.games_played']));
    const notJson = await upload('{"source_name": ');
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json()).toMatchObject({ errors: [{ field: 'body' }] });
    expect(processing()).toHaveLength(before);
  });

  it('answers 413 over the size cap, 415 for a body that is not JSON, 401 without the token, 400 and 404 for drop ids', async () => {
    expect((await upload(Buffer.alloc(9000, 0x20))).statusCode).toBe(413);
    expect((await upload('source_name=x', { ...auth, 'content-type': 'text/plain' })).statusCode).toBe(415);
    expect((await upload(snapshotBytes(snapshotDocument()), { 'content-type': 'application/json' })).statusCode).toBe(401);
    expect((await api.app.inject({ method: 'GET', url: '/internal/v1/snapshot-drops/abc', headers: auth })).json()).toMatchObject({ status: 400, errors: [{ field: 'params.id' }] });
    expect((await api.app.inject({ method: 'GET', url: '/internal/v1/snapshot-drops/999999', headers: auth })).statusCode).toBe(404);
    expect((await api.app.inject({ method: 'GET', url: '/internal/v1/snapshot-drops?sha256=xyz', headers: auth })).json()).toMatchObject({ errors: [{ field: 'query.sha256' }] });
  });
});

describe('POST snapshot-drops with the drop folder off', () => {
  it('answers 404 saying how to turn it on', async () => {
    const api = await startApiHarness({}, [staticDatasetPipeline]);
    try {
      const response = await api.app.inject({ method: 'POST', url: '/internal/v1/snapshot-drops', headers: json, payload: snapshotBytes(snapshotDocument()) });
      expect(response.statusCode).toBe(404);
      expect(response.json<{ detail: string }>().detail).toMatch(/STATIC_DATASET_INCOMING_DIR/);
    } finally {
      await api.close();
    }
  });
});
