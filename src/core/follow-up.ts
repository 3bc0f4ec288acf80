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
