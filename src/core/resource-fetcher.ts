import { JobError } from './job-error.js';
import type { ResourceRequest } from './pipeline.js';

export interface FetchRequest extends ResourceRequest {
  /** Hosts the request and every redirect may go to. */
  allowedHosts: readonly string[];
  /** Validators of the previous snapshot of this resource, sent as If-None-Match / If-Modified-Since. */
  conditional?: { etag: string | null; lastModified: string | null };
}

export interface FetchResponse {
  status: number;
  /** After redirects. */
  finalUrl: string;
  /** Lower-case names; only the ones the service uses. */
  headers: {
    etag?: string;
    'last-modified'?: string;
    'content-type'?: string;
    'retry-after'?: string;
    'cf-mitigated'?: string;
  };
  body: Uint8Array;
}

/**
 * A fetch that failed after the response had begun (its total deadline ran out while the body was
 * arriving). Carries what arrived so far so the caller can keep it for diagnosis, marked truncated.
 */
export class IncompleteResponseError extends JobError {
  constructor(
    failure: JobError,
    /** The status, headers and final URL of the response, and the body bytes received before the cut. */
    readonly partial: FetchResponse,
  ) {
    super(failure.category, failure.code, failure.message, {
      retryable: failure.retryable,
      ...(failure.retryAfterMs === undefined ? {} : { retryAfterMs: failure.retryAfterMs }),
      cause: failure,
    });
    this.name = 'IncompleteResponseError';
  }
}

export interface FetchHooks {
  /** Wraps the wait for this request's turn under the host's politeness budget. */
  waitingForTurn?<T>(turn: Promise<T>): Promise<T>;
}

/**
 * Fetches one resource politely. Answers every HTTP status (the caller keeps the body and
 * classifies it); throws a JobError for what never became a response: network failures, timeouts,
 * an oversized body, a refused redirect. A body cut off by the total deadline is an
 * IncompleteResponseError carrying the bytes received. A host paused by the source for longer than a
 * few seconds is not waited for: the fetch fails at once, retryable, with the rest of the pause as
 * `retryAfterMs`.
 */
export interface ResourceFetcher {
  fetch(request: FetchRequest, signal: AbortSignal, hooks?: FetchHooks): Promise<FetchResponse>;
}
