import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventCatalogPipeline as pipeline } from '../../src/adapters/smoothcomp/event-catalog/event-catalog-pipeline.js';
import { parseEventCatalogPage } from '../../src/adapters/smoothcomp/event-catalog/parse-event-catalog-page.js';
import { JobError } from '../../src/core/job-error.js';
import { asFetched, fixture } from './fixtures.js';

const us = { host: 'smoothcomp.com', country: 'US', event_type: 'upcoming' as const };

describe('smoothcomp.event_catalog', () => {
  it('plans page 1, then the next page while pages have events, and stops at an empty one', () => {
    const first = pipeline.planRequests({ scope: us, params: {}, fetched: [] });
    expect(first).toEqual([
      expect.objectContaining({ method: 'GET', url: 'https://smoothcomp.com/en/events/upcoming?countries=US&page=1', resourceType: 'event_catalog_page' }),
    ]);
    const page1 = asFetched('events/us-upcoming-page-1.html', 'event_catalog_page');
    expect(pipeline.planRequests({ scope: us, params: { category_groups: [1, 3] }, fetched: [page1] })[0]?.url).toBe(
      'https://smoothcomp.com/en/events/upcoming?countries=US&cg=1%2C3&page=2',
    );
    const page2 = asFetched('events/us-upcoming-page-2.html', 'event_catalog_page');
    expect(pipeline.planRequests({ scope: us, params: {}, fetched: [page1, page2] })).toEqual([]);
    expect(pipeline.planRequests({ scope: us, params: { max_pages: 1 }, fetched: [page1] })).toEqual([]);
  });

  it('normalizes events: absolute URLs, dates, ISO countries, non-ASCII kept, sorted by date then id', () => {
    const fetched = [asFetched('events/us-upcoming-page-1.html', 'event_catalog_page'), asFetched('events/us-upcoming-page-2.html', 'event_catalog_page')];
    const content = pipeline.normalize({ scope: us, parsed: pipeline.parse({ scope: us, fetched }) });
    expect(content).toMatchObject({ pages: 2, truncated: false });
    expect(content.records).toEqual([
      {
        event_id: '21001', host: 'smoothcomp.com', title: 'Grappling Open — San José', url: 'https://smoothcomp.com/en/event/21001',
        start_date: '2026-12-05', end_date: '2026-12-05', period: 'Dec 5, 2026', ended: false, city: 'San José', country: 'US',
        country_name: 'United States', cover_image: 'https://cdn.example.invalid/covers/21001.jpg', category_groups: ['Gi', 'No-Gi'],
      },
      expect.objectContaining({ event_id: '21002', city: null, cover_image: null, category_groups: [], url: 'https://smoothcomp.com/en/event/21002' }),
      expect.objectContaining({ event_id: '21003', start_date: '2026-12-12', end_date: '2026-12-13', ended: false, category_groups: ['Kids'] }),
    ]);
  });

  it('lists an event once when it shows up on two pages, on an organiser subdomain', () => {
    const scope = { host: 'adcc.smoothcomp.com', country: 'BR', event_type: 'past' as const };
    const fetched = ['events/adcc-past-page-1.html', 'events/adcc-past-page-2.html', 'events/us-upcoming-page-2.html'].map((p) => asFetched(p, 'event_catalog_page'));
    const content = pipeline.normalize({ scope, parsed: pipeline.parse({ scope, fetched }) });
    expect(content.records.map((r) => (r as { event_id: string }).event_id)).toEqual(['18800', '19050']);
    expect(content.records[1]).toMatchObject({ title: 'ADCC Trials {South America}', city: 'São Paulo', url: 'https://adcc.smoothcomp.com/en/event/19050' });
  });

  it('fails markup drift as a classified parse error instead of returning no events', () => {
    expect(() => parseEventCatalogPage(fixture('events/markup-drift.html'), 'page 1')).toThrow(
      expect.objectContaining({ category: 'parse', code: 'EVENTS_ARRAY_NOT_FOUND' }),
    );
  });

  it('accepts only Smoothcomp hosts and well-formed scopes', () => {
    expect(pipeline.scopeSchema.safeParse({ ...us, host: 'ibjjf.smoothcomp.com' }).success).toBe(true);
    expect(pipeline.scopeSchema.safeParse({ ...us, host: 'ajptour.com' }).success).toBe(true);
    for (const host of ['evil.com', 'smoothcomp.com.evil.com', 'smoothcomp.com:8080', 'user@smoothcomp.com', 'a/b.smoothcomp.com', '']) {
      expect(pipeline.scopeSchema.safeParse({ ...us, host }).success, host).toBe(false);
    }
    expect(pipeline.scopeSchema.safeParse({ ...us, country: 'usa' }).success).toBe(false);
    expect(pipeline.scopeSchema.safeParse({ ...us, start_date: '2026-12-31', end_date: '2026-01-01' }).success).toBe(false);
  });

  it('on random or truncated input returns events or a classified parse error, nothing else', () => {
    const page = fixture('events/us-upcoming-page-1.html');
    const inputs = fc.oneof(
      fc.string(),
      fc.nat(page.length).map((n) => page.slice(0, n)),
      fc.tuple(fc.nat(page.length), fc.string()).map(([n, junk]) => page.slice(0, n) + junk + page.slice(n)),
      fc.jsonValue().map((v) => `<script>var events = ${JSON.stringify(v)};</script>`),
    );
    fc.assert(
      fc.property(inputs, (html) => {
        try {
          expect(Array.isArray(parseEventCatalogPage(html, 'page'))).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(JobError);
          expect((error as JobError).category).toBe('parse');
        }
      }),
      { numRuns: 500 },
    );
  });
});
