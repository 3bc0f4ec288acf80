import { describe, expect, it } from 'vitest';
import { BLOCKED_MIN_RETRY_MS, classifyResponse, isChallengePage, retryAfterMs } from '../../src/core/response-classification.js';

const now = Date.parse('2026-11-22T12:00:00Z');
const facts = (status: number, bodyPrefix = '', headers: Record<string, string> = {}) => ({ status, headers, bodyPrefix });

describe('classifying responses', () => {
  it('lets content through', () => {
    expect(classifyResponse(facts(200, '{"ok":true}'), now)).toBeUndefined();
    expect(classifyResponse(facts(304), now)).toBeUndefined();
  });

  it.each([
    [500, 'HTTP_500', true],
    [503, 'HTTP_503', true],
    [404, 'HTTP_404', false],
    [410, 'HTTP_410', false],
    [400, 'HTTP_400', false],
    [401, 'HTTP_401', false],
  ])('%i -> %s, retryable %s', (status, code, retryable) => {
    expect(classifyResponse(facts(status), now)).toMatchObject({ category: 'http_status', code, retryable });
  });

  it('honours Retry-After on a 429, in seconds or as a date', () => {
    expect(classifyResponse(facts(429, '', { 'retry-after': '120' }), now)).toMatchObject({ code: 'HTTP_429', retryable: true, retryAfterMs: 120_000 });
    expect(retryAfterMs('Sun, 22 Nov 2026 12:01:30 GMT', now)).toBe(90_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('999999999', now)).toBe(6 * 60 * 60 * 1000);
  });

  it('recognises a Cloudflare challenge as blocked, whatever the status', () => {
    const page = '<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>';
    for (const status of [403, 503, 200]) {
      expect(classifyResponse(facts(status, page), now)).toMatchObject({ category: 'blocked', code: 'CHALLENGE_PAGE', retryable: true, retryAfterMs: BLOCKED_MIN_RETRY_MS });
    }
    expect(isChallengePage(facts(403, '', { 'cf-mitigated': 'challenge' }))).toBe(true);
    expect(isChallengePage(facts(200, '<title>Events - Smoothcomp</title>'))).toBe(false);
    expect(isChallengePage(facts(404, page))).toBe(false);
  });
});
