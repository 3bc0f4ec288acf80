import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { academyCatalogPipeline as pipeline } from '../../src/adapters/smoothcomp/academy-catalog/academy-catalog-pipeline.js';
import { parseClubListingPage, parseClubPage } from '../../src/adapters/smoothcomp/academy-catalog/parse-academies.js';
import { asFetched, expectRecordsOrParseError, fixture } from './fixtures.js';

describe('smoothcomp.academy_catalog', () => {
  it('takes either a country or club ids, not both or neither', () => {
    expect(pipeline.scopeSchema.safeParse({ host: 'smoothcomp.com', country: 'US' }).success).toBe(true);
    expect(pipeline.scopeSchema.safeParse({ host: 'smoothcomp.com', club_ids: ['880'] }).success).toBe(true);
    expect(pipeline.scopeSchema.safeParse({ host: 'smoothcomp.com' }).success).toBe(false);
    expect(pipeline.scopeSchema.safeParse({ host: 'smoothcomp.com', country: 'US', club_ids: ['880'] }).success).toBe(false);
    expect(pipeline.scopeSchema.safeParse({ host: 'smoothcomp.com', club_ids: ['../admin'] }).success).toBe(false);
  });

  it('reads club pages, members included, and keeps what a page lacks as null', () => {
    const scope = { host: 'smoothcomp.com', club_ids: ['881', '880'] };
    expect(pipeline.planRequests({ scope, params: {}, fetched: [] }).map((r) => r.url)).toEqual([
      'https://smoothcomp.com/en/club/881',
      'https://smoothcomp.com/en/club/880',
    ]);
    const fetched = [asFetched('academies/club-881.html', 'club_page', '/en/club/881'), asFetched('academies/club-880.html', 'club_page', '/en/club/880')];
    expect(pipeline.normalize({ scope, parsed: pipeline.parse({ scope, fetched }) }).records).toEqual([
      {
        club_id: '880', host: 'smoothcomp.com', name: 'Gracie Barra San José', country: 'US', city: 'San José', affiliation: 'Gracie Barra', members_count: 2,
        members: [{ profile_id: '5501', name: 'João Pedro Araújo' }, { profile_id: '5620', name: 'Ana Lee' }],
      },
      { club_id: '881', host: 'smoothcomp.com', name: 'Garage Grapplers', country: null, city: 'Reno', affiliation: null, members_count: 0, members: [] },
    ]);
  });

  it('pages through a country listing until it is empty', () => {
    const scope = { host: 'smoothcomp.com', country: 'US' };
    const page1 = asFetched('academies/clubs-us-page-1.html', 'club_listing_page');
    expect(pipeline.planRequests({ scope, params: {}, fetched: [page1] })[0]?.url).toBe('https://smoothcomp.com/en/clubs?countries=US&page=2');
    const page2 = asFetched('academies/clubs-us-page-2.html', 'club_listing_page');
    expect(pipeline.planRequests({ scope, params: {}, fetched: [page1, page2] })).toEqual([]);
    const records = pipeline.normalize({ scope, parsed: pipeline.parse({ scope, fetched: [page1, page2] }) }).records;
    expect(records).toMatchObject([{ club_id: '880', members_count: 2, members: null }, { club_id: '881', members_count: 0, affiliation: null }]);
  });

  it('fails drift as a parse error', () => {
    expect(() => parseClubPage(fixture('academies/club-drift.html'), 1, 'club')).toThrow(expect.objectContaining({ category: 'parse', code: 'CLUB_NAME_NOT_FOUND' }));
    expect(() => parseClubListingPage(fixture('events/us-upcoming-page-1.html'), 'clubs')).toThrow(expect.objectContaining({ code: 'CLUBS_ARRAY_NOT_FOUND' }));
  });

  it('on random or truncated input returns clubs or a classified parse error, nothing else', () => {
    const page = fixture('academies/club-880.html');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.nat(page.length).map((n) => page.slice(0, n)), fc.jsonValue().map((v) => `<script>var clubs = ${JSON.stringify(v)}</script>`)), (input) => expectRecordsOrParseError([(t) => parseClubPage(t, 1, 'x'), (t) => parseClubListingPage(t, 'x')], input)),
      { numRuns: 300 },
    );
  });
});
