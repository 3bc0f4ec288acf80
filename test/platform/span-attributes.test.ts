import { describe, expect, it } from 'vitest';
import { outgoingUrlAttributes, requestTargetAttributes, serverSpanName } from '../../src/platform/otel/span-attributes.js';

describe('span names and URL attributes', () => {
  it('names a server span by method and route template, or by method alone when no route matched', () => {
    expect(serverSpanName('GET', '/internal/v1/jobs/:id')).toBe('GET /internal/v1/jobs/:id');
    expect(serverSpanName('GET', undefined)).toBe('GET');
  });

  it('splits a request target into path and query, credential-looking query values replaced as in log lines', () => {
    expect(requestTargetAttributes('/internal/v1/jobs')).toEqual({ 'url.path': '/internal/v1/jobs' });
    expect(requestTargetAttributes('/internal/v1/jobs?pipeline=a&access_token=t0k&limit=5')).toEqual({
      'url.path': '/internal/v1/jobs',
      'url.query': 'pipeline=a&access_token=[redacted]&limit=5',
    });
  });

  it('gives an outgoing URL without its password or credential-looking query values', () => {
    expect(outgoingUrlAttributes('https://smoothcomp.com', '/en/events/upcoming?countries=US&page=2')).toEqual({
      'url.full': 'https://smoothcomp.com/en/events/upcoming?countries=US&page=2',
      'url.query': 'countries=US&page=2',
    });
    expect(outgoingUrlAttributes('https://user:pw-1@api.example', '/v1/games?apikey=k-2&sig=s-3&day=1')).toEqual({
      'url.full': 'https://user:redacted@api.example/v1/games?apikey=[redacted]&sig=[redacted]&day=1',
      'url.query': 'apikey=[redacted]&sig=[redacted]&day=1',
    });
    expect(outgoingUrlAttributes('https://api.example', '/plain')).toEqual({ 'url.full': 'https://api.example/plain', 'url.query': '' });
  });
});
