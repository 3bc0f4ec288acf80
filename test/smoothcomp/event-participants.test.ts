import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventParticipantsPipeline as pipeline } from '../../src/adapters/smoothcomp/event-participants/event-participants-pipeline.js';
import { parseEventParticipants } from '../../src/adapters/smoothcomp/event-participants/parse-event-participants.js';
import { splitDivision } from '../../src/adapters/smoothcomp/event-participants/split-division.js';
import { JobError } from '../../src/core/job-error.js';
import { asFetched, fixture } from './fixtures.js';

const scope = { host: 'smoothcomp.com', event_id: '21001' };

describe('smoothcomp.event_participants', () => {
  it('fetches the event page, then POSTs for participants as an XHR with its CSRF token', () => {
    expect(pipeline.planRequests({ scope, params: {}, fetched: [] })).toEqual([
      expect.objectContaining({ method: 'GET', url: 'https://smoothcomp.com/en/event/21001', resourceType: 'event_page' }),
    ]);
    const page = asFetched('participants/event-21001-page.html', 'event_page');
    const [post] = pipeline.planRequests({ scope, params: {}, fetched: [page] });
    expect(post).toMatchObject({
      method: 'POST',
      url: 'https://smoothcomp.com/en/event/21001/participants',
      body: '{}',
      headers: { 'x-requested-with': 'XMLHttpRequest', 'x-csrf-token': 'fixture-csrf-21001', 'content-type': 'application/json' },
    });
    expect(pipeline.planRequests({ scope, params: {}, fetched: [page, asFetched('participants/event-21001.json', 'event_participants')] })).toEqual([]);
  });

  it('normalizes registrations: division split, belt by lookup, duplicates once, missing fields as null', () => {
    const fetched = [asFetched('participants/event-21001-page.html', 'event_page'), asFetched('participants/event-21001.json', 'event_participants')];
    const content = pipeline.normalize({ scope, parsed: pipeline.parse({ scope, fetched }) });
    expect(content.records).toHaveLength(3);
    expect(content.records[0]).toEqual({
      registration_id: '700101',
      event_id: '21001',
      host: 'smoothcomp.com',
      athlete: { user_id: '5501', first_name: 'João', middle_name: 'Pedro', last_name: 'Araújo', full_name: 'João Pedro Araújo', country: 'BR', age: 27 },
      club: { id: '880', name: 'Gracie Barra San José' },
      affiliation: 'Gracie Barra',
      division: { name: 'Men / Adults / Beginner / -60 kg', gender: 'Men', age: 'Adults', level: 'Beginner', weight: '-60 kg' },
      belt: 'White',
      weight_measured: 59.4,
      seed: 2,
      approved: true,
    });
    expect(content.records[1]).toMatchObject({ registration_id: '700102', club: { id: null, name: 'Independent' }, affiliation: null, seed: null, weight_measured: null, athlete: { last_name: "O'Neil" } });
    expect(content.records[2]).toMatchObject({
      registration_id: '700150',
      approved: false,
      belt: 'Blue',
      division: { gender: 'Women', age: 'Masters 1', level: 'Blue', weight: 'Open weight' },
    });
  });

  it('gives an empty list for an event without registrations, and a parse error for another shape', () => {
    expect(parseEventParticipants(fixture('participants/event-21005-empty.json'), 'x').divisions).toEqual([]);
    expect(() => parseEventParticipants(fixture('participants/markup-drift.json'), 'x')).toThrow(
      expect.objectContaining({ category: 'parse', code: 'PARTICIPANTS_UNEXPECTED_SHAPE' }),
    );
    expect(() => parseEventParticipants(fixture('cloudflare-challenge.html'), 'x')).toThrow(expect.objectContaining({ code: 'PARTICIPANTS_NOT_JSON' }));
  });

  it('splits division names by what each segment says', () => {
    expect(splitDivision('Boys / Kids 8-9 / Grey / -30 kg')).toEqual({ gender: 'Boys', age: 'Kids 8-9', level: 'Grey', weight: '-30 kg' });
    expect(splitDivision('Adults / Purple / Men / Absolute')).toEqual({ gender: 'Men', age: 'Adults', level: 'Purple', weight: 'Absolute' });
    expect(splitDivision('Women / 145 lbs')).toEqual({ gender: 'Women', age: null, level: null, weight: '145 lbs' });
    expect(splitDivision('')).toEqual({ gender: null, age: null, level: null, weight: null });
  });

  it('only accepts numeric event ids, so a scope cannot steer the request path', () => {
    for (const event_id of ['21001/../../admin', '21001?x=1', 'abc', '0', '']) {
      expect(pipeline.scopeSchema.safeParse({ ...scope, event_id }).success, event_id).toBe(false);
    }
  });

  it('on random or truncated input returns registrations or a classified parse error, nothing else', () => {
    const body = fixture('participants/event-21001.json');
    const inputs = fc.oneof(fc.string(), fc.nat(body.length).map((n) => body.slice(0, n)), fc.jsonValue().map((v) => JSON.stringify(v)), fc.jsonValue().map((v) => JSON.stringify({ participants: v, categories: [] })));
    fc.assert(
      fc.property(inputs, (text) => {
        try {
          const parsed = parseEventParticipants(text, 'x');
          pipeline.normalize({ scope, parsed });
        } catch (error) {
          expect(error).toBeInstanceOf(JobError);
          expect((error as JobError).category).toBe('parse');
        }
      }),
      { numRuns: 500 },
    );
  });
});
