import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leaseOf } from '../../src/core/job.js';
import { fixturePipeline } from '../support/fixture-pipeline.js';
import { auth, startApiHarness, type ApiHarness } from './api-harness.js';

const PIPELINE = 'test.catalog';

describe('snapshot bodies', () => {
  let api: ApiHarness;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    api = await startApiHarness({}, [fixturePipeline('http://127.0.0.1:9')]);
    await api.repository.enqueueJobs([{ pipeline: PIPELINE, scope: { name: 'bodies' }, maxAttempts: 1 }]);
    const [job] = await api.repository.claimJobs({ workerId: 'api-test', limit: 1, leaseMs: 30_000 });
    const bodies: [string, string | null, string][] = [
      ['html', 'text/html; charset=utf-8', '<html><script>alert(document.cookie)</script></html>'],
      ['json', 'application/json', '{"items":[]}'],
      ['ldjson', 'application/ld+json', '{"@type":"Event"}'],
      ['text', 'text/plain; charset=utf-8', 'just text'],
      ['xml', 'application/xml', '<events/>'],
      ['unknown', null, 'some bytes'],
    ];
    for (const [name, contentType, body] of bodies) {
      const snapshot = await api.storage.ingestion.saveSnapshot({
        lease: leaseOf(job!),
        pipeline: PIPELINE,
        scopeKey: job!.scopeKey,
        resourceType: 'page',
        resourceKey: name,
        method: 'GET',
        url: `http://127.0.0.1/${name}`,
        status: 200,
        notModified: false,
        truncated: false,
        etag: null,
        lastModified: null,
        contentType,
        body: new TextEncoder().encode(body),
      });
      ids[name] = snapshot.id;
    }
  });
  afterAll(() => api.close());

  const body = (name: string) => api.app.inject({ method: 'GET', url: `/internal/v1/snapshots/${ids[name]}/body`, headers: auth });

  it.each([
    ['html', 'html'],
    ['xml', 'xml'],
    ['unknown', 'bin'],
  ])('serves %s as a download named snapshot-<id>.%s', async (name, extension) => {
    const response = await body(name);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-disposition']).toBe(`attachment; filename="snapshot-${ids[name]}.${extension}"`);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
  });

  it.each(['json', 'ldjson', 'text'])('serves %s inline, still sandboxed', async (name) => {
    const response = await body(name);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-disposition']).toBeUndefined();
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
  });

  it('keeps the bytes and content type as received', async () => {
    const response = await body('html');
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).toBe('<html><script>alert(document.cookie)</script></html>');
  });
});
