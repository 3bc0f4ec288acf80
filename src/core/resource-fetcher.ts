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
 * Fetches one resource politely. Answers every HTTP status (the caller keeps the body and
 * classifies it); throws a JobError for what never became a response: network failures, timeouts,
 * an oversized body, a redirect off the allowlist.
 */
export interface ResourceFetcher {
  fetch(request: FetchRequest, signal: AbortSignal): Promise<FetchResponse>;
}
