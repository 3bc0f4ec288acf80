import type { JsonObject } from './job.js';

/**
 * A job a pipeline asks for next, derived purely from its normalized content (ESPN: a live game's
 * summary; Smoothcomp: a catalog's event details). The success settle enqueues it in its own
 * transaction, so it exists exactly when the success does.
 */
export interface FollowUpJob {
  pipeline: string;
  scope: JsonObject;
  params?: JsonObject;
  /**
   * Names the follow-up among every follow-up ever declared for `pipeline`: a key enqueues at most
   * one job, whichever job declares it and however often (retries, re-runs, other jobs).
   */
  key: string;
  /** Not before this instant (ISO 8601 with an offset). */
  runAt?: string;
  /** Not before this many seconds after the settle, by the database clock. */
  delaySeconds?: number;
  priority?: number;
}

/** The most follow-ups one job may declare; a pipeline declaring more fails its job (a bug in it). */
export const MAX_FOLLOW_UPS_PER_JOB = 1_000;

/**
 * The idempotency key a follow-up is stored under: namespaced by the pipeline it enqueues, so two
 * pipelines may use the same key for different things, and no follow-up can take the key of a job
 * enqueued through the API (whose keys the caller chooses) by accident.
 */
export function followUpIdempotencyKey(pipeline: string, key: string): string {
  return `follow-up:${pipeline}:${key}`;
}

/** What a success settle did with the follow-ups of one pipeline. */
export interface FollowUpOutcome {
  pipeline: string;
  /** New jobs stored. */
  enqueued: number;
  /** Follow-ups whose key was already taken (a retry, a re-run, another job): no job stored. */
  duplicate: number;
}
