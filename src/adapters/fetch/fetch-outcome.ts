import type { FetchOutcome } from '../../core/ingest-metrics.js';
import { JobError } from '../../core/job-error.js';
import { IncompleteResponseError } from '../../core/resource-fetcher.js';

/** A response's status as `ingest_fetch_requests_total` labels it. */
export function outcomeOfStatus(status: number): FetchOutcome {
  if (status === 304) return '304';
  if (status === 429) return '429';
  if (status >= 500) return '5xx';
  if (status >= 400) return '4xx';
  if (status >= 300) return '3xx';
  return '2xx';
}

/** Why a fetch gave no whole response, as `ingest_fetch_requests_total` labels it. */
export function outcomeOfError(error: unknown): FetchOutcome {
  if (error instanceof IncompleteResponseError) return 'timeout';
  if (!(error instanceof JobError)) return 'error';
  switch (error.code) {
    case 'HOST_PAUSED':
      return 'paused';
    case 'RESPONSE_TOO_LARGE':
      return 'too_large';
    case 'HOST_NOT_ALLOWED':
    case 'REDIRECT_NOT_ALLOWED':
    case 'BAD_URL':
      return 'refused';
    case 'TOO_MANY_REDIRECTS':
      return 'too_many_redirects';
  }
  switch (error.category) {
    case 'timeout':
      return 'timeout';
    case 'network':
      return 'network_error';
    case 'cancelled':
    case 'lease_lost':
      return 'aborted';
    default:
      return 'error';
  }
}
