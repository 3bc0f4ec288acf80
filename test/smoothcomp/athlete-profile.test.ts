import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { athleteProfilePipeline as pipeline } from '../../src/adapters/smoothcomp/athlete-profile/athlete-profile-pipeline.js';
import { matchMethod } from '../../src/adapters/smoothcomp/athlete-profile/match-summary.js';
import { parseProfileEventsPage, parseProfilePage } from '../../src/adapters/smoothcomp/athlete-profile/parse-athlete-profile.js';
import { asFetched, expectRecordsOrParseError, fixture } from './fixtures.js';

const scope = { host: 'smoothcomp.com', profile_id: '5501' };
const profile = asFetched('athletes/profile-5501.html', 'athlete_profile');
const page1 = asFetched('athletes/profile-5501-events-1.json', 'athlete_events_page', '/en/profile/5501/events?page=1');
const page2 = asFetched('athletes/profile-5501-events-2.json', 'athlete_events_page', '/en/profile/5501/events?page=2');

describe('smoothcomp.athlete_profile_enrichment', () => {
  it('follows next_page_url by page number only, on the scope host, to the end', () => {
    expect(pipeline.planRequests({ scope, params: {}, fetched: [] }).map((r) => r.url)).toEqual([
      'https://smoothcomp.com/en/profile/5501',
      'https://smoothcomp.com/en/profile/5501/events?page=1',
    ]);
    expect(pipeline.planRequests({ scope, params: {}, fetched: [profile, page1] }).map((r) => r.url)).toEqual(['https://smoothcomp.com/en/profile/5501/events?page=2']);
    expect(pipeline.planRequests({ scope, params: {}, fetched: [profile, page1, page2] })).toEqual([]);
    expect(pipeline.planRequests({ scope, params: { max_pages: 1 }, fetched: [profile, page1] })).toEqual([]);
  });

  it('derives the match history and a win/loss summary by method', () => {
    const [athlete] = pipeline.normalize({ scope, parsed: pipeline.parse({ scope, fetched: [profile, page1, page2] }) }).records as Record<string, unknown>[];
    expect(athlete).toMatchObject({ profile_id: '5501', name: 'João Pedro Araújo', club: 'Gracie Barra San José', country: 'BR', belt: 'Blue belt' });
    const matches = athlete!.matches as { date: string; result: string; method: string; opponent: { name: string | null } }[];
    expect(matches.map((m) => [m.date, m.result, m.method])).toEqual([
      ['2026-06-01', 'loss', 'unknown'],
      ['2026-10-18', 'win', 'decision'],
      ['2026-10-18', 'win', 'walkover'],
      ['2026-12-05', 'win', 'submission'],
      ['2026-12-05', 'loss', 'points'],
    ]);
    expect(matches[2]!.opponent).toEqual({ id: null, name: null });
    expect(athlete!.summary).toMatchObject({
      matches: 5,
      wins: 3,
      losses: 2,
      by_method: { submission: { wins: 1, losses: 0 }, points: { wins: 0, losses: 1 }, decision: { wins: 1, losses: 0 }, walkover: { wins: 1, losses: 0 }, unknown: { wins: 0, losses: 1 } },
    });
  });

  it('fails a profile page that names no one, and a challenge page, as parse errors', () => {
    for (const page of ['athletes/profile-drift.html', 'cloudflare-challenge.html']) {
      expect(() => parseProfilePage(fixture(page), 'profile')).toThrow(expect.objectContaining({ category: 'parse', code: 'PROFILE_NAME_NOT_FOUND' }));
    }
  });

  it('reads outcome wordings as methods', () => {
    expect(['Won by Submission - 02:14', 'Armbar (sub)', 'Points 4-2', 'Won on advantages', 'Referee decision', 'DQ', 'Walkover', 'W.O.', null].map(matchMethod)).toEqual([
      'submission', 'submission', 'points', 'advantage', 'decision', 'disqualification', 'walkover', 'walkover', 'unknown',
    ]);
  });

  it('on random or truncated input returns history or a classified parse error, nothing else', () => {
    const body = fixture('athletes/profile-5501-events-1.json');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.nat(body.length).map((n) => body.slice(0, n)), fc.jsonValue().map((v) => JSON.stringify({ data: v }))), (input) => expectRecordsOrParseError([(t) => parseProfileEventsPage(t, 'x'), (t) => parseProfilePage(t, 'x')], input)),
      { numRuns: 300 },
    );
  });
});
