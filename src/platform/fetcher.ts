import { HttpFetcher } from '../adapters/fetch/http-fetcher.js';
import { isHostAllowed } from '../core/pipeline.js';
import type { Logger } from 'pino';
import type { FetchOutcome, IngestMetrics } from '../core/ingest-metrics.js';
import type { AppConfig } from './config.js';

export const SMOOTHCOMP_HOSTS = ['.smoothcomp.com', 'ajptour.com'] as const;

/** How a host rule reads in a log line: `.smoothcomp.com` covers the apex and every subdomain. */
const describeHostRule = (rule: string) => (rule.startsWith('.') ? [rule.slice(1), `*${rule}`] : [rule]);

/**
 * The one HTTP client of a process, with each provider's politeness budget. With `logger`, an
 * active origin override is said once at start: a process fetching from a replay origin instead of
 * the real source should never be mistaken for one that is not.
 */
export function createFetcher(config: AppConfig, logger?: Pick<Logger, 'info'>, metrics?: IngestMetrics): HttpFetcher {
  const { fetch, providers } = config;
  const smoothcompOverride = providers.smoothcomp.baseUrlOverride;
  // ESPN_BASE_URL's host (ESPN's, or a replay origin) is the one ESPN pipelines fetch from: it gets ESPN's budget.
  const espnHosts = [new URL(providers.espn.baseUrl).hostname];
  if (smoothcompOverride !== undefined) {
    logger?.info(
      { provider: 'smoothcomp', hosts: SMOOTHCOMP_HOSTS.flatMap(describeHostRule), origin: smoothcompOverride },
      'SMOOTHCOMP_BASE_URL_OVERRIDE is active: requests to these hosts go to that origin instead',
    );
  }
  return new HttpFetcher({
    userAgent: `ingestion-adapter/0.1 (+${fetch.contact})`,
    connectTimeoutMs: fetch.connectTimeoutMs,
    headersTimeoutMs: fetch.responseTimeoutMs,
    bodyTimeoutMs: fetch.responseTimeoutMs,
    totalTimeoutMs: fetch.totalTimeoutMs,
    maxBodyBytes: fetch.maxBodyBytes,
    maxRedirects: fetch.maxRedirects,
    ...(metrics === undefined ? {} : { observe: (host: string, outcome: FetchOutcome, seconds: number) => metrics.fetchFinished(host, outcome, seconds) }),
    budgetFor: (host) => {
      if (isHostAllowed(host, SMOOTHCOMP_HOSTS)) {
        return { requestsPerMinute: providers.smoothcomp.requestsPerMinute, maxConcurrency: providers.smoothcomp.maxConcurrencyPerHost };
      }
      if (isHostAllowed(host, espnHosts)) return { requestsPerMinute: providers.espn.requestsPerMinute, maxConcurrency: 2 };
      return fetch.defaultBudget;
    },
    ...(smoothcompOverride === undefined
      ? {}
      : { originOverride: (host: string) => (isHostAllowed(host, SMOOTHCOMP_HOSTS) ? smoothcompOverride : undefined) }),
  });
}
