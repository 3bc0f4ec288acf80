import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizedHash, sourceSnapshotHash } from '../../src/core/content-hashes.js';
import { leaseOf } from '../../src/core/job.js';
import { staticDatasetPipeline } from '../../src/adapters/static-dataset/static-dataset-pipeline.js';
import { fixturePipeline } from '../support/fixture-pipeline.js';
import { startApiHarness, TOKEN, type ApiHarness } from './api-harness.js';

const PIPELINE = 'test.catalog';
const CLIENT = resolve(import.meta.dirname, 'generated-client/client.ts');
const run = promisify(execFile);

/**
 * Types generated from the document a real server serves, a client that calls every route with
 * them (strict, no casts), and that client run against the same server: the document cannot
 * drift from the behaviour without this failing.
 */
describe('a client generated from the API document', () => {
  let api: ApiHarness;
  let baseUrl = '';
  let dir = '';
  let publishedJob = '';
  let dropRoot = '';

  beforeAll(async () => {
    dropRoot = mkdtempSync(join(tmpdir(), 'generated-client-drops-'));
    api = await startApiHarness({ STATIC_DATASET_INCOMING_DIR: join(dropRoot, 'incoming') }, [fixturePipeline('http://127.0.0.1:9'), staticDatasetPipeline]);
    // One published job with an HTML snapshot, made through the store as a worker would.
    await api.repository.enqueueJobs([{ pipeline: PIPELINE, scope: { name: 'alpha' }, maxAttempts: 1 }]);
    const [job] = await api.repository.claimJobs({ workerId: 'client-test', limit: 1, leaseMs: 30_000 });
    if (job === undefined) throw new Error('no job claimed');
    const snapshot = await api.storage.ingestion.saveSnapshot({
      lease: leaseOf(job),
      pipeline: PIPELINE,
      scopeKey: job.scopeKey,
      resourceType: 'catalog_page',
      resourceKey: 'alpha/1',
      method: 'GET',
      url: 'http://127.0.0.1/catalog/alpha',
      status: 200,
      notModified: false,
      truncated: false,
      etag: null,
      lastModified: null,
      contentType: 'text/html; charset=utf-8',
      body: new TextEncoder().encode('<html><body>Ana</body></html>'),
    });
    const payload = { records: [{ id: 1, name: 'Ana' }] };
    await api.repository.completeJob(leaseOf(job), {
      ingestion: {
        scope: { name: 'alpha' },
        sourceSnapshotIds: [snapshot.id],
        sourceSnapshotHash: sourceSnapshotHash([snapshot]),
        normalizedHash: normalizedHash(payload),
        parserVersion: '1',
        normalizerVersion: '1',
        payload,
        forced: false,
      },
    });
    publishedJob = job.id;
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
    dir = mkdtempSync(join(tmpdir(), 'generated-client-'));
    // The client imports openapi-fetch; it resolves from the project's own install.
    symlinkSync(resolve('node_modules'), join(dir, 'node_modules'), 'dir');
  });
  afterAll(async () => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
    if (dropRoot !== '') rmSync(dropRoot, { recursive: true, force: true });
    await api.close();
  });

  it('type-checks strictly with no casts, calls every route, and gets what the document promises', async () => {
    const document = (await (await fetch(`${baseUrl}/internal/v1/openapi.json`)).json()) as Parameters<typeof openapiTS>[0];
    writeFileSync(join(dir, 'schema.d.ts'), astToString(await openapiTS(document)));
    copyFileSync(CLIENT, join(dir, 'client.ts'));

    const source = readFileSync(CLIENT, 'utf8');
    const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    expect(code).not.toMatch(/\bas (?!const\b)|\bany\b|@ts-|!\./);

    const program = ts.createProgram([join(dir, 'client.ts')], {
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
      types: ['node'],
      typeRoots: [resolve('node_modules/@types')],
      skipLibCheck: true,
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);

    // The operations the client calls are every operation the document has.
    const called = new Set([...source.matchAll(/client\.(GET|POST|PUT|PATCH|DELETE)\('([^']+)'/g)].map((m) => `${m[1]} ${m[2]}`));
    const documented = Object.entries((document as { paths: Record<string, object> }).paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect([...called].sort()).toEqual(documented.sort());

    const tsx = resolve('node_modules/tsx/dist/cli.mjs');
    const { stdout } = await run(process.execPath, [tsx, join(dir, 'client.ts')], {
      cwd: dir,
      env: { ...process.env, BASE_URL: baseUrl, TOKEN, PUBLISHED_JOB_ID: publishedJob },
      timeout: 60_000,
    });
    const summary = JSON.parse(stdout) as Record<string, unknown>;
    const jobId = summary.job_id as string;
    expect(summary).toEqual({
      live: 'live',
      ready: 'ready',
      created: { status: 201, state: 'pending', priority: 2, location: `/internal/v1/jobs/${jobId}` },
      replayed: { status: 200, header: 'true', id: jobId },
      job_id: expect.stringMatching(/^\d+$/) as unknown,
      noop_scope_label: 'typed',
      batch: [
        [201, 'batched'],
        [400, ['body.jobs.1.scope.label']],
      ],
      invalid: { status: 400, type: 'application/problem+json; charset=utf-8', fields: ['body.scope.label'] },
      listed: [jobId],
      shown: { id: jobId, parent: null, transitions: ['pending'], result: null },
      cancelled: { effect: 'cancelled', state: 'cancelled' },
      retried: 'pending',
      missing: { status: 404, detail: 'job 999999999 does not exist' },
      latest: ['{"name":"alpha"}'],
      noop_latest: 0,
      latest_by_name: ['{"name":"alpha"}'],
      publication: { id: expect.stringMatching(/^\d+$/) as unknown, version: 1 },
      history: [1],
      snapshot: { content_type: 'text/html; charset=utf-8', served_as: 'text/html; charset=utf-8', body: '<html><body>Ana</body></html>' },
      // The noop job and the batch's valid one; nothing runs them in this test.
      metrics: {
        type: 'text/plain; version=0.0.4; charset=utf-8',
        enqueued: 'ingest_jobs_enqueued_total{pipeline="system.noop"} 2',
        queue: 'ingest_queue_jobs{pipeline="system.noop",state="pending"} 2',
      },
      limits: { set: 2, read: ['test.catalog', 2, 'string'], removed: [null, null], unknown: 404 },
      changes: {
        read: [['publication.created', '{"name":"alpha"}', 1, true]],
        waited: 0,
        bad_after: { status: 400, fields: ['query.after'] },
        stream: {
          status: 200,
          type: 'text/event-stream; charset=utf-8',
          event: 'publication.created',
          id_is_cursor: true,
          data: expect.objectContaining({ type: 'publication.created', scope: { name: 'alpha' } }) as unknown,
        },
      },
      schedules: {
        created: { status: 201, location: true },
        bad_zone: { status: 400, fields: ['body.time_zone'] },
        listed: ['client-daily'],
        replaced_priority: 3,
        paused: 'maintenance',
        resumed: null,
        triggered: { status: 201, kind: 'triggered', own_job: true },
        runs: [['triggered', true]],
        preview: [
          ['2026-03-29T03:00:00+02:00', 'shifted_out_of_gap'],
          ['2026-03-30T02:30:00+02:00', null],
        ],
        deleted: true,
      },
      snapshot_drops: {
        uploaded: [202, 'pending', 'static_dataset.snapshot', 'client-league'],
        again: [200, 'duplicate', true],
        invalid: [400, ['body.records.0.birth_date']],
        listed: ['duplicate', 'pending'],
        one: 'client-league-2026-11-30.json',
        latest: 0,
      },
      // The test send is refused before connecting: WEBHOOK_ALLOW_PRIVATE_TARGETS is off here.
      webhooks: {
        created: { status: 201, secret: true, ordered: true },
        bad: { status: 400, fields: ['body.url', 'body.pipelines.0'] },
        listed: [true],
        shown: ['test.catalog'],
        updated: 'from the client',
        rotated: [true, true],
        tested: ['refused_target', null],
        deliveries: 0,
        delivery: 404,
        resent: 404,
        redelivered: [202, 0],
        recoveries: [['redeliver_failed', 'client', 0]],
        deleted: [204, 404],
      },
    });
  });
});
