import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizedHash, sourceSnapshotHash } from '../../src/core/content-hashes.js';
import { leaseOf } from '../../src/core/job.js';
import { fixturePipeline } from '../support/fixture-pipeline.js';
import { auth, startApiHarness, type ApiHarness } from './api-harness.js';

const PIPELINE = 'test.catalog';

describe('publications and snapshots over the API', () => {
  let api: ApiHarness;
  let jobId = '';
  let snapshotId = '';
  const get = (url: string) => api.app.inject({ method: 'GET', url, headers: auth });

  /** Runs one job by hand through the store: a snapshot, then a publishing settle. */
  async function publish(name: string, records: { id: number; name: string }[]): Promise<string> {
    const [enqueued] = await api.repository.enqueueJobs([{ pipeline: PIPELINE, scope: { name }, maxAttempts: 1 }]);
    const [job] = await api.repository.claimJobs({ workerId: 'api-test', limit: 1, leaseMs: 30_000 });
    expect(job?.id).toBe(enqueued?.job.id);
    const body = JSON.stringify({ items: records });
    const snapshot = await api.storage.ingestion.saveSnapshot({
      lease: leaseOf(job!),
      pipeline: PIPELINE,
      scopeKey: job!.scopeKey,
      resourceType: 'catalog_page',
      resourceKey: `${name}/1`,
      method: 'GET',
      url: `http://127.0.0.1/catalog/${name}`,
      status: 200,
      notModified: false,
      truncated: false,
      etag: '"v1"',
      lastModified: null,
      contentType: 'application/json',
      body: new TextEncoder().encode(body),
    });
    const payload = { records };
    await api.repository.completeJob(leaseOf(job!), {
      ingestion: {
        scope: { name },
        sourceSnapshotIds: [snapshot.id],
        sourceSnapshotHash: sourceSnapshotHash([snapshot]),
        normalizedHash: normalizedHash(payload),
        parserVersion: '1',
        normalizerVersion: '1',
        payload,
        forced: false,
      },
    });
    jobId = job!.id;
    snapshotId = snapshot.id;
    return job!.id;
  }

  beforeAll(async () => {
    api = await startApiHarness({}, [fixturePipeline('http://127.0.0.1:9')]);
    await publish('alpha', [{ id: 1, name: 'Ana' }]);
    await publish('beta', [{ id: 2, name: 'Bia' }]);
    await publish('beta', [{ id: 2, name: 'Bia Souza' }]);
  });
  afterAll(() => api.close());

  it('finds the latest publication of each matching scope', async () => {
    const all = await get(`/internal/v1/publications/latest?pipeline=${PIPELINE}`);
    expect(all.statusCode).toBe(200);
    const list = all.json<{ publications: { scope: { name: string }; version: number }[] }>().publications;
    expect(list.map((p) => [p.scope.name, p.version])).toEqual([['beta', 2], ['alpha', 1]]);

    const beta = await get(`/internal/v1/publications/latest?pipeline=${PIPELINE}&name=beta`);
    const [latest] = beta.json<{ publications: { id: string; version: number; supersedes: string; envelope: Record<string, unknown> }[] }>().publications;
    expect(latest).toMatchObject({ version: 2, envelope: { version: 2, scope: { name: 'beta' }, content: { records: [{ name: 'Bia Souza' }] } } });
    expect(latest!.envelope.published_at).toEqual(expect.any(String));

    const one = await get(`/internal/v1/publications/${latest!.id}`);
    expect(one.json()).toMatchObject({ publication: { id: latest!.id, version: 2, supersedes: latest!.supersedes, classification: 'CONTENT_CHANGED' } });
    const history = await get(`/internal/v1/publications?pipeline=${PIPELINE}&scope_key=${encodeURIComponent('{"name":"beta"}')}`);
    expect(history.json<{ publications: { version: number }[] }>().publications.map((p) => p.version)).toEqual([2, 1]);
    expect((await get(`/internal/v1/publications/latest?pipeline=${PIPELINE}&name=gamma`)).json()).toEqual({ publications: [], next_cursor: null });
  });

  it('refuses filters the pipeline scope does not have, and unknown pipelines', async () => {
    const unknownField = await get(`/internal/v1/publications/latest?pipeline=${PIPELINE}&country=US`);
    expect(unknownField.statusCode).toBe(400);
    expect(unknownField.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toEqual(['query.country']);
    // Names every object inherits are not scope fields either.
    for (const name of ['constructor', 'toString', 'hasOwnProperty']) {
      const inherited = await get(`/internal/v1/publications/latest?pipeline=${PIPELINE}&${name}=x`);
      expect(inherited.statusCode, name).toBe(400);
      expect(inherited.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toEqual([`query.${name}`]);
    }
    const badValue = await get(`/internal/v1/publications/latest?pipeline=${PIPELINE}&name=${encodeURIComponent("x' OR 1=1")}`);
    expect(badValue.statusCode).toBe(400);
    expect((await get('/internal/v1/publications/latest?pipeline=nope')).statusCode).toBe(400);
    expect((await get('/internal/v1/publications/latest')).statusCode).toBe(400);
    expect((await get('/internal/v1/publications/424242')).statusCode).toBe(404);
    expect((await get('/internal/v1/publications/abc')).statusCode).toBe(400);
  });

  it("lists a job's snapshots and serves a body as it was received", async () => {
    const list = await get(`/internal/v1/jobs/${jobId}/snapshots`);
    expect(list.statusCode).toBe(200);
    expect(list.json<{ snapshots: unknown[] }>().snapshots).toEqual([
      expect.objectContaining({ id: snapshotId, status: 200, resource_type: 'catalog_page', content_type: 'application/json', etag: '"v1"', not_modified: false }),
    ]);
    const body = await get(`/internal/v1/snapshots/${snapshotId}/body`);
    expect(body.statusCode).toBe(200);
    expect(body.headers['content-type']).toBe('application/json');
    expect(body.headers['x-content-type-options']).toBe('nosniff');
    expect(body.body).toBe(JSON.stringify({ items: [{ id: 2, name: 'Bia Souza' }] }));
    expect((await get('/internal/v1/snapshots/999999/body')).statusCode).toBe(404);
    expect((await get('/internal/v1/jobs/999999/snapshots')).statusCode).toBe(404);
  });

  it('shows the decision on the job, published or not', async () => {
    const details = await get(`/internal/v1/jobs/${jobId}`);
    expect(details.json()).toMatchObject({ result: { decision: 'PUBLISH_CHANGED', classification: 'CONTENT_CHANGED', record_count: 1, source_snapshot_ids: [snapshotId] } });
  });
});
