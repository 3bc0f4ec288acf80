import type { PublicationDecisionKind } from './publication-decision.js';

/**
 * How an attempt ended, as `ingest_jobs_finished_total` labels it: the job's state after it, with
 * `retrying` for a failure that leaves the job pending for another attempt, and `released` for a
 * job handed back at shutdown (no attempt spent).
 */
export const ATTEMPT_ENDS = ['succeeded', 'retrying', 'failed', 'exhausted', 'cancelled', 'released'] as const;
export type AttemptEnd = (typeof ATTEMPT_ENDS)[number];

/**
 * How one fetch of a provider resource ended: the response's status class (304 and 429 apart, as
 * they mean "unchanged" and "slow down"), or why no response came.
 */
export const FETCH_OUTCOMES = [
  '2xx',
  '304',
  '3xx',
  '4xx',
  '429',
  '5xx',
  'timeout',
  'network_error',
  'too_large',
  'refused',
  'too_many_redirects',
  'paused',
  'aborted',
  'error',
] as const;
export type FetchOutcome = (typeof FETCH_OUTCOMES)[number];

/** What a success settle did with a follow-up: stored it, or found its key taken. */
export const FOLLOW_UP_OUTCOMES = ['enqueued', 'duplicate'] as const;
export type FollowUpOutcomeKind = (typeof FOLLOW_UP_OUTCOMES)[number];

/** How a fetch showed that a resource had not changed since its previous snapshot. */
export const UNCHANGED_HOWS = ['not_modified', 'identical_body'] as const;
export type UnchangedHow = (typeof UNCHANGED_HOWS)[number];

/**
 * What the service counts about its own work. Labels are bounded sets (pipelines, job states, hosts on
 * a pipeline's allowlist), never ids or scopes. The application calls it; an adapter exports it.
 */
export interface IngestMetrics {
  /** Jobs stored by an enqueue (not idempotent replays). */
  jobsEnqueued(pipeline: string, count: number): void;
  /** An attempt's outcome was recorded; `seconds` from the handler's start, when it started. */
  attemptFinished(pipeline: string, end: AttemptEnd, seconds: number | undefined): void;
  /** Jobs a claim took over from a lease that had expired (a worker that died or stalled). */
  leasesRescued(count: number): void;
  /** A settle refused by the lease fence: this worker no longer held the job. */
  fencedSettleRejected(): void;
  /** One fetch of a resource, redirects included; `seconds` from the first request sent. */
  fetchFinished(host: string, outcome: FetchOutcome, seconds: number): void;
  publicationDecided(pipeline: string, decision: PublicationDecisionKind): void;
  /** Follow-ups of the pipeline `pipeline` a success settle stored or found already stored. */
  followUps(pipeline: string, outcome: FollowUpOutcomeKind, count: number): void;
  /**
   * A fetch whose resource had not changed since its previous snapshot: a 304 to our validators, or
   * a 200 whose body is byte-identical (the source ignored or does not give validators).
   */
  fetchUnchanged(host: string, how: UnchangedHow): void;
}

/** For processes and tests that export nothing. */
export const NO_METRICS: IngestMetrics = {
  jobsEnqueued: () => undefined,
  attemptFinished: () => undefined,
  leasesRescued: () => undefined,
  fencedSettleRejected: () => undefined,
  fetchFinished: () => undefined,
  publicationDecided: () => undefined,
  followUps: () => undefined,
  fetchUnchanged: () => undefined,
};
