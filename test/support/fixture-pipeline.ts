import { z } from 'zod';
import { JobError } from '../../src/core/job-error.js';
import type { PipelineDefinition } from '../../src/core/pipeline.js';

const pageSchema = z.object({ items: z.array(z.object({ id: z.int(), name: z.string() })), next: z.string().optional() });

/**
 * A small paginated JSON catalog served by the fixture server: `/catalog/{name}` and the pages its
 * `next` fields name. Normalizer version 2 upper-cases names, so a version bump changes the output
 * of the same source.
 */
export function fixturePipeline(origin: string, options: { normalizerVersion?: '1' | '2'; pipeline?: string } = {}): PipelineDefinition<{ name: string }> {
  const normalizerVersion = options.normalizerVersion ?? '1';
  return {
    name: options.pipeline ?? 'test.catalog',
    scopeSchema: z.strictObject({ name: z.string().regex(/^[a-z0-9-]{1,40}$/) }),
    paramsSchema: z.strictObject({}),
    parserVersion: '1',
    normalizerVersion,
    allowedHosts: ['127.0.0.1'],
    maxRequests: 10,
    planRequests({ scope, fetched }) {
      const { name } = scope;
      if (fetched.length === 0) {
        return [{ resourceType: 'catalog_page', resourceKey: `${name}/1`, method: 'GET', url: `${origin}/catalog/${name}` }];
      }
      const last = fetched.at(-1);
      const next = last === undefined ? undefined : pageSchema.safeParse(JSON.parse(Buffer.from(last.body).toString('utf8'))).data?.next;
      return next === undefined ? [] : [{ resourceType: 'catalog_page', resourceKey: `${name}/${fetched.length + 1}`, method: 'GET', url: `${origin}${next}` }];
    },
    parse({ fetched }) {
      return fetched.flatMap((page) => {
        let body: unknown;
        try {
          body = JSON.parse(Buffer.from(page.body).toString('utf8'));
        } catch {
          throw new JobError('parse', 'NOT_JSON', `snapshot ${page.snapshotId} is not JSON`);
        }
        const parsed = pageSchema.safeParse(body);
        if (!parsed.success) throw new JobError('parse', 'UNEXPECTED_SHAPE', `snapshot ${page.snapshotId}: ${parsed.error.message}`);
        return parsed.data.items.map((item) => ({ ...item, snapshot_id: page.snapshotId }));
      });
    },
    normalize({ parsed }) {
      const items = parsed as { id: number; name: string; snapshot_id: string }[];
      return {
        records: [...items]
          .sort((a, b) => a.id - b.id)
          .map((item) => ({ id: item.id, name: normalizerVersion === '2' ? item.name.toUpperCase() : item.name, snapshot_id: item.snapshot_id })),
      };
    },
  };
}
