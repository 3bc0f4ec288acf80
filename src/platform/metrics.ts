import { PrometheusMetrics } from '../adapters/metrics/prometheus-metrics.js';
import type { JobRepository } from '../core/job-repository.js';
import type { AppConfig } from './config.js';

/**
 * The process's one metrics registry, with the queue gauges read from `repository` at scrape time.
 * A failing read is logged when it starts failing and when it recovers, not on every scrape.
 */
export function createProcessMetrics(
  config: AppConfig,
  repository: Pick<JobRepository, 'queueStats'>,
  pipelines: readonly string[],
  logger: { warn(fields: object, message: string): void; info(fields: object, message: string): void },
): PrometheusMetrics {
  let failing = false;
  const metrics = new PrometheusMetrics({
    queue: {
      repository: {
        queueStats: async (request) => {
          const stats = await repository.queueStats(request);
          if (failing) logger.info({}, 'queue gauges read again');
          failing = false;
          return stats;
        },
      },
      pipelines,
      timeoutMs: config.metrics.queueStatsTimeoutMs,
      onError: (error) => {
        if (!failing) logger.warn({ err: error }, 'reading the queue gauges failed; scrapes answer without them until it works again');
        failing = true;
      },
    },
  });
  return metrics;
}
