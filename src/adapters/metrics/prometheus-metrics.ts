import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { AttemptEnd, FetchOutcome, FollowUpOutcomeKind, IngestMetrics, UnchangedHow } from '../../core/ingest-metrics.js';
import type { PublicationDecisionKind } from '../../core/publication-decision.js';
import { QueueGauges, type QueueGaugesOptions } from './queue-gauges.js';

const JOB_DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];
const FETCH_DURATION_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export interface PrometheusMetricsOptions {
  /** With these, every scrape also reads the queue's gauges from the database (one statement). */
  queue?: QueueGaugesOptions;
}

/**
 * The process's metrics in the Prometheus text format: the counters and histograms the application
 * reports (core/ingest-metrics.ts), the queue gauges read at scrape time, and Node.js process metrics.
 * One per process: in the all-in-one process the API and the worker share it.
 */
export class PrometheusMetrics implements IngestMetrics {
  readonly registry = new Registry();
  private readonly enqueued: Counter<'pipeline'>;
  private readonly finished: Counter<'pipeline' | 'outcome'>;
  private readonly jobDuration: Histogram<'pipeline'>;
  private readonly rescues: Counter;
  private readonly fenced: Counter;
  private readonly fetches: Counter<'host' | 'outcome'>;
  private readonly fetchDuration: Histogram<'host'>;
  private readonly decisions: Counter<'pipeline' | 'decision'>;
  private readonly followUpCounter: Counter<'pipeline' | 'outcome'>;
  private readonly unchanged: Counter<'host' | 'how'>;
  private readonly queue: QueueGauges | undefined;

  constructor(options: PrometheusMetricsOptions = {}) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.enqueued = new Counter({
      name: 'ingest_jobs_enqueued_total',
      help: 'Jobs stored by an enqueue (idempotent replays not counted)',
      labelNames: ['pipeline'],
      registers,
    });
    this.finished = new Counter({
      name: 'ingest_jobs_finished_total',
      help: 'Attempts whose outcome was recorded, by how they ended: succeeded, retrying, failed, exhausted, cancelled, released',
      labelNames: ['pipeline', 'outcome'],
      registers,
    });
    this.jobDuration = new Histogram({
      name: 'ingest_job_duration_seconds',
      help: 'Time from a handler starting to its outcome being recorded, for every attempt that ran',
      labelNames: ['pipeline'],
      buckets: JOB_DURATION_BUCKETS,
      registers,
    });
    this.rescues = new Counter({
      name: 'ingest_lease_rescues_total',
      help: 'Jobs this process claimed from an expired lease (their worker died or stalled)',
      registers,
    });
    this.fenced = new Counter({
      name: 'ingest_fenced_settles_rejected_total',
      help: 'Settles refused by the lease fence: the worker no longer held the job, and nothing was changed',
      registers,
    });
    this.fetches = new Counter({
      name: 'ingest_fetch_requests_total',
      help: 'Fetches of provider resources (redirects included in one), by host and outcome',
      labelNames: ['host', 'outcome'],
      registers,
    });
    this.fetchDuration = new Histogram({
      name: 'ingest_fetch_duration_seconds',
      help: 'Time from the first request of a fetch being sent to its body read or its failure',
      labelNames: ['host'],
      buckets: FETCH_DURATION_BUCKETS,
      registers,
    });
    this.decisions = new Counter({
      name: 'ingest_publication_decisions_total',
      help: 'Publication decisions of successful ingestions: PUBLISH_CHANGED, PUBLISH_FORCED or SKIP_NO_CHANGE',
      labelNames: ['pipeline', 'decision'],
      registers,
    });
    this.followUpCounter = new Counter({
      name: 'ingest_follow_ups_total',
      help: 'Follow-up jobs declared by successful jobs, by the pipeline they enqueue: enqueued (stored) or duplicate (their key was taken)',
      labelNames: ['pipeline', 'outcome'],
      registers,
    });
    this.unchanged = new Counter({
      name: 'ingest_fetch_unchanged_total',
      help: 'Fetches whose resource had not changed since its previous snapshot: not_modified (a 304) or identical_body (a 200 with the same bytes)',
      labelNames: ['host', 'how'],
      registers,
    });
    this.queue = options.queue === undefined ? undefined : new QueueGauges(options.queue, this.registry);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** One scrape: the queue gauges are read first (one statement, shared by scrapes that overlap). */
  async render(): Promise<string> {
    await this.queue?.refresh();
    return this.registry.metrics();
  }

  jobsEnqueued(pipeline: string, count: number): void {
    this.enqueued.inc({ pipeline }, count);
  }

  attemptFinished(pipeline: string, end: AttemptEnd, seconds: number | undefined): void {
    this.finished.inc({ pipeline, outcome: end });
    if (seconds !== undefined) this.jobDuration.observe({ pipeline }, seconds);
  }

  leasesRescued(count: number): void {
    this.rescues.inc(count);
  }

  fencedSettleRejected(): void {
    this.fenced.inc();
  }

  fetchFinished(host: string, outcome: FetchOutcome, seconds: number): void {
    this.fetches.inc({ host, outcome });
    this.fetchDuration.observe({ host }, seconds);
  }

  publicationDecided(pipeline: string, decision: PublicationDecisionKind): void {
    this.decisions.inc({ pipeline, decision });
  }

  followUps(pipeline: string, outcome: FollowUpOutcomeKind, count: number): void {
    this.followUpCounter.inc({ pipeline, outcome }, count);
  }

  fetchUnchanged(host: string, how: UnchangedHow): void {
    this.unchanged.inc({ host, how });
  }
}
