import type { z } from 'zod';
import type { FollowUpJob } from './follow-up.js';
import type { JsonObject, JsonValue } from './job.js';

/** One resource to fetch. */
export interface ResourceRequest {
  /** What kind of resource, e.g. `event_catalog_page`. */
  resourceType: string;
  /** Names the resource across jobs (e.g. its path and query), for conditional GET and lineage. */
  resourceKey: string;
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

/** A stored response, as the pure parts of a pipeline see it. */
export interface FetchedResource {
  snapshotId: string;
  resourceType: string;
  resourceKey: string;
  url: string;
  status: number;
  contentType: string | null;
  sha256: string;
  body: Uint8Array;
}

/** What normalization produces: records plus anything else the pipeline publishes. */
export interface NormalizedContent {
  records: JsonValue[];
  [key: string]: JsonValue;
}

/**
 * A pipeline: what it accepts, what it fetches, and how responses become records. `planRequests`,
 * `parse` and `normalize` are pure functions of the scope and the stored responses, so a job can be
 * run again from its snapshots without fetching. Parse errors are thrown as JobError('parse', ...).
 */
export interface PipelineDefinition<Scope extends JsonObject = JsonObject, Params extends JsonObject = JsonObject, Parsed = unknown> {
  readonly name: string;
  readonly scopeSchema: z.ZodType<Scope>;
  readonly paramsSchema: z.ZodType<Params>;
  readonly parserVersion: string;
  readonly normalizerVersion: string;
  /** Hosts this pipeline may fetch from (exact names, or `.example.com` for subdomains). */
  readonly allowedHosts: readonly string[];
  /** The most resources one job may fetch; a plan that wants more fails. */
  readonly maxRequests: number;
  /**
   * The longest one job may run (fetching, parsing, normalizing); by default a per-request
   * allowance times `maxRequests` (pipeline-handler.ts). Past it the job fails `timeout`, retryably.
   */
  readonly timeoutMs?: number;
  /** The requests still needed, given what was fetched so far; none when complete. */
  planRequests(input: { scope: Scope; params: Params; fetched: readonly FetchedResource[] }): ResourceRequest[];
  parse(input: { scope: Scope; fetched: readonly FetchedResource[] }): Parsed;
  normalize(input: { scope: Scope; parsed: Parsed }): NormalizedContent;
  /**
   * The jobs to run next, derived purely from the normalized content (a live game's next poll, a
   * catalog's details). Asked on every success, whatever the publication decision (an unchanged live
   * game still needs its next poll), and enqueued in the success settle's transaction, each at most
   * once per (pipeline, key) ever. Each must name a registered pipeline and pass its scope and params
   * schemas, and a job may declare at most MAX_FOLLOW_UPS_PER_JOB: otherwise the job fails, not
   * retryably (INVALID_FOLLOW_UP, TOO_MANY_FOLLOW_UPS), since the pipeline has a bug.
   */
  followUps?(input: { scope: Scope; params: Params; content: NormalizedContent }): FollowUpJob[];
  /**
   * What changed since the scope's previous publication (`null` for its first), for consumers who
   * want the difference rather than the whole content. Pure and total: called while the scope's
   * publication lock is held, only when a new version is published; the result goes into the
   * envelope as `changes` and so into its hash.
   */
  describeChange?(previous: NormalizedContent | null, next: NormalizedContent): JsonObject;
}

/** Whether `host` is one of `allowed` (exact, or a subdomain of an entry written `.domain`). */
export function isHostAllowed(host: string, allowed: readonly string[]): boolean {
  const name = host.toLowerCase();
  return allowed.some((entry) => {
    const rule = entry.toLowerCase();
    return rule.startsWith('.') ? name.endsWith(rule) || name === rule.slice(1) : name === rule;
  });
}
