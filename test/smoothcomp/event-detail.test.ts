import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventDetailPipeline as pipeline } from '../../src/adapters/smoothcomp/event-detail/event-detail-pipeline.js';
import { parseEventPage, parseInfoPanels } from '../../src/adapters/smoothcomp/event-detail/parse-event-detail.js';
import { asFetched, expectRecordsOrParseError, fixture } from './fixtures.js';

describe('smoothcomp.event_detail', () => {
  it('fetches the event page and its info panels', () => {
    const requests = pipeline.planRequests({ scope: { host: 'ibjjf.smoothcomp.com', event_id: '21001' }, params: {}, fetched: [] });
    expect(requests.map((r) => r.url)).toEqual([
      'https://ibjjf.smoothcomp.com/en/event/21001',
      'https://ibjjf.smoothcomp.com/en/event/21001/getInfoPanelsData',
    ]);
  });

  it('normalizes a full event: venue, address, organizer, dates without offsets', () => {
    const scope = { host: 'ibjjf.smoothcomp.com', event_id: '21001' };
    const fetched = [asFetched('event_detail/event-21001-page.html', 'event_page'), asFetched('event_detail/event-21001-info.json', 'event_info_panels')];
    expect(pipeline.normalize({ scope, parsed: pipeline.parse({ scope, fetched }) }).records).toEqual([
      {
        event_id: '21001',
        host: 'ibjjf.smoothcomp.com',
        name: 'Grappling Open — San José',
        start_date: '2026-12-05',
        end_date: '2026-12-05',
        description: 'Gi and No-Gi divisions for kids, adults and masters. Weigh-in on the mat.',
        image: 'https://cdn.example.invalid/covers/21001.jpg',
        venue: { name: 'SJSU Event Center', address: '290 S 7th St, San José, CA 95112', city: 'San José', country: 'US', country_name: 'United States' },
        organizer: 'Bay Grappling League',
      },
    ]);
  });

  it('keeps missing optional fields as null', () => {
    const scope = { host: 'smoothcomp.com', event_id: '21003' };
    const fetched = [asFetched('event_detail/event-21003-page.html', 'event_page'), asFetched('event_detail/event-21003-info.json', 'event_info_panels')];
    expect(pipeline.normalize({ scope, parsed: pipeline.parse({ scope, fetched }) }).records[0]).toMatchObject({
      name: 'Winter Kids Championship',
      start_date: '2026-12-12',
      end_date: null,
      image: null,
      description: null,
      organizer: null,
      venue: { name: 'Denver Sports Hall', address: 'Denver, CO', city: null, country: null, country_name: 'United States' },
    });
  });

  it('fails a page without a SportsEvent as a parse error', () => {
    expect(() => parseEventPage(fixture('event_detail/markup-drift.html'), 'event 1')).toThrow(expect.objectContaining({ category: 'parse', code: 'SPORTS_EVENT_NOT_FOUND' }));
  });

  it('on random or truncated input returns an event or a classified parse error, nothing else', () => {
    const page = fixture('event_detail/event-21001-page.html');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.nat(page.length).map((n) => page.slice(0, n)), fc.jsonValue().map((v) => JSON.stringify(v))), (input) => expectRecordsOrParseError([(t) => parseEventPage(t, 'x'), (t) => parseInfoPanels(t, 'x')], input)),
      { numRuns: 300 },
    );
  });
});
