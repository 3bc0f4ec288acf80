import { JobError } from './job-error.js';

export interface ResponseFacts {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  /** The beginning of the body as text, enough to recognise a challenge page. */
  bodyPrefix: string;
}

/** Blocked sources are retried, but not soon: a challenge rarely clears within minutes. */
export const BLOCKED_MIN_RETRY_MS = 15 * 60 * 1000;
const MAX_RETRY_AFTER_MS = 6 * 60 * 60 * 1000;

/** A bot-protection page (Cloudflare "Just a moment...", a challenge form) instead of content. */
export function isChallengePage(facts: ResponseFacts): boolean {
  if (facts.headers['cf-mitigated'] === 'challenge') return true;
  if (facts.status !== 403 && facts.status !== 503 && facts.status !== 429 && facts.status !== 200) return false;
  const text = facts.bodyPrefix;
  return (
    /<title>\s*Just a moment\.\.\.\s*<\/title>/i.test(text) ||
    /cf-browser-verification|challenge-platform|cf_chl_opt|Attention Required! \| Cloudflare/i.test(text)
  );
}

/** Milliseconds from a Retry-After header (seconds or an HTTP date), bounded; undefined if absent or unreadable. */
export function retryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - nowMs;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

/**
 * What a response means for the job: `undefined` when it is content to parse, otherwise the
 * failure. 5xx and 429 are retryable (429 after Retry-After), other 4xx are not, and a challenge
 * page is `blocked` whatever its status.
 */
export function classifyResponse(facts: ResponseFacts, nowMs: number): JobError | undefined {
  if (isChallengePage(facts)) {
    return new JobError('blocked', 'CHALLENGE_PAGE', `the source answered ${facts.status} with a bot-protection challenge instead of content`, {
      retryAfterMs: BLOCKED_MIN_RETRY_MS,
    });
  }
  const { status } = facts;
  if (status === 304 || (status >= 200 && status < 300)) return undefined;
  if (status === 429) {
    const wait = retryAfterMs(facts.headers['retry-after'], nowMs);
    return new JobError('http_status', 'HTTP_429', `rate limited by the source (429)${wait === undefined ? '' : `; retry after ${Math.round(wait / 1000)} s`}`, {
      retryable: true,
      ...(wait === undefined ? {} : { retryAfterMs: wait }),
    });
  }
  if (status >= 500) return new JobError('http_status', `HTTP_${status}`, `the source failed with ${status}`, { retryable: true });
  if (status >= 300 && status < 400) {
    return new JobError('http_status', `HTTP_${status}`, `unexpected redirect status ${status} without a usable Location`, { retryable: false });
  }
  const what = status === 404 ? 'not found' : status === 410 ? 'gone' : 'refused the request';
  return new JobError('http_status', `HTTP_${status}`, `the source answered ${status} (${what})`, { retryable: false });
}
