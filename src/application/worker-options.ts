import type { IngestMetrics } from '../core/ingest-metrics.js';
import type { JobRepository } from '../core/job-repository.js';
import type { DatabaseLoss } from './database-availability.js';
import type { HandlerRegistry } from './handler-registry.js';
import type { JobLogger } from './job-handler.js';
import type { RetryPolicy } from './retry-policy.js';

/** What a Worker is built from; only the first group is required. */
export interface WorkerOptions {
  repository: JobRepository;
  handlers: HandlerRegistry;
  workerId: string;
  /** Jobs run at once; the worker claims only for free slots. */
  concurrency: number;
  /**
   * The most jobs one claim takes (default: `concurrency`). Above `concurrency`, the surplus waits
   * in a local queue, its leases renewed like running jobs, until a slot frees: fewer, larger claims
   * for short jobs, at the cost of holding jobs another worker could have started.
   */
  claimBatchSize?: number;
  leaseMs: number;
  heartbeatIntervalMs: number;
  /** How often an idle worker looks for due jobs when no notification arrives. */
  pollIntervalMs: number;
  retryPolicy: RetryPolicy;
  logger: JobLogger;
  /** [0, 1); injected so tests can pin the jitter. */
  random?: () => number;
  /** Milliseconds on a monotonic clock; used to notice that renewals stopped succeeding. */
  monotonicNow?: () => number;
  /** Wall clock, for the times the health report shows. */
  now?: () => Date;
  /** Give up after this long with every claim and renewal failing; undefined: retry forever. */
  databaseGiveUpAfterMs?: number;
  /**
   * Called once when the worker gives up on its database (an error that will not heal, or
   * `databaseGiveUpAfterMs` of failures). The worker has stopped claiming; the caller stops it.
   */
  onDatabaseLost?: (loss: DatabaseLoss) => void;
  /**
   * Interruptions (expired leases, database failures under a job) a job may have before it ends
   * `exhausted`; they are not charged to its attempts. Default DEFAULT_MAX_INTERRUPTIONS.
   */
  maxInterruptions?: number;
  /** A handler's run time bound when it declares none (`JobHandler.timeoutMs`). Default 10 minutes. */
  defaultJobTimeoutMs?: number;
  /** Where outcomes, rescues and fenced settles are counted; nothing by default. */
  metrics?: IngestMetrics;
}
