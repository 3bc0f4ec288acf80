import { HttpFetcher } from '../adapters/fetch/http-fetcher.js';
import { isHostAllowed } from '../core/pipeline.js';
import type { AppConfig } from './config.js';

export const SMOOTHCOMP_HOSTS = ['.smoothcomp.com', 'ajptour.com'] as const;
export const ESPN_HOSTS = ['site.api.espn.com'] as const;

/** The one HTTP client of a process, with each provider's politeness budget. */
export function createFetcher(config: AppConfig): HttpFetcher {
  const { fetch, providers } = config;
  const smoothcompOverride = providers.smoothcomp.baseUrlOverride;
  return new HttpFetcher({
    userAgent: `ingestion-adapter/0.1 (+${fetch.contact})`,
    connectTimeoutMs: fetch.connectTimeoutMs,
    headersTimeoutMs: fetch.responseTimeoutMs,
    bodyTimeoutMs: fetch.responseTimeoutMs,
    totalTimeoutMs: fetch.totalTimeoutMs,
    maxBodyBytes: fetch.maxBodyBytes,
    maxRedirects: fetch.maxRedirects,
    budgetFor: (host) => {
      if (isHostAllowed(host, SMOOTHCOMP_HOSTS)) {
        return { requestsPerMinute: providers.smoothcomp.requestsPerMinute, maxConcurrency: providers.smoothcomp.maxConcurrencyPerHost };
      }
      if (isHostAllowed(host, ESPN_HOSTS)) return { requestsPerMinute: providers.espn.requestsPerMinute, maxConcurrency: 2 };
      return fetch.defaultBudget;
    },
    ...(smoothcompOverride === undefined
      ? {}
      : { originOverride: (host: string) => (isHostAllowed(host, SMOOTHCOMP_HOSTS) ? smoothcompOverride : undefined) }),
  });
}
