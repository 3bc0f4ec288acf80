import { z } from 'zod';
import { normalizedHash, sourceSnapshotHash } from '../core/content-hashes.js';
import { NO_METRICS, type IngestMetrics, type UnchangedHow } from '../core/ingest-metrics.js';
import type { IngestionStore, SnapshotRecord } from '../core/ingestion-store.js';
import { JobError } from '../core/job-error.js';
import { leaseOf, type Job, type JsonObject } from '../core/job.js';
import { isHostAllowed, type FetchedResource, type NormalizedContent, type PipelineDefinition, type ResourceRequest } from '../core/pipeline.js';
import { classifyResponse } from '../core/response-classification.js';
import { jsonProblem } from '../core/storable-values.js';
import { IncompleteResponseError, type FetchResponse, type ResourceFetcher } from '../core/resource-fetcher.js';
import { checkFollowUps, type FollowUpTargets } from './follow-up-checks.js';
import type { JobContext, JobHandler, JobHandlerResult } from './job-handler.js';

export interface PipelineHandlerDeps {
  fetcher: ResourceFetcher;
  store: IngestionStore;
  now?: () => number;
  /** Where unchanged fetches (304s, identical bodies) are counted; nothing by default. */
  metrics?: IngestMetrics;
  /**
   * The pipelines a follow-up may name, with their schemas (platform/handlers.ts passes every
   * registered one). Without it a pipeline may declare follow-ups of itself only.
   */
  followUpTargets?: FollowUpTargets;
}

/**
 * What one planned request may take in a pipeline's run time bound: connecting and reading the
 * response (the fetcher's own deadlines are well inside it) and storing the snapshot. Waiting for the
 * host's turn is not in it: the bound's clock stops then (`JobContext.waitingOnSource`). A pipeline with an unusual source declares `timeoutMs` itself.
 */
export const REQUEST_ALLOWANCE_MS = 60_000;
/** Parsing, normalizing and handing over the result, on top of the requests. */
const PROCESSING_ALLOWANCE_MS = 60_000;

/** A pipeline's run time bound: its own, or derived from how many requests it may make. */
export function pipelineTimeoutMs(definition: Pick<PipelineDefinition, 'timeoutMs' | 'maxRequests'>): number {
  return definition.timeoutMs ?? definition.maxRequests * REQUEST_ALLOWANCE_MS + PROCESSING_ALLOWANCE_MS;
}

/** `fetch` (the default) fetches and publishes; `renormalize` re-runs parse and normalize on the
 * snapshots behind the scope's latest publication, without fetching. */
const MODES = ['fetch', 'renormalize'] as const;

/**
 * Runs a pipeline as a job: fetch what its plan asks for (keeping every response as a snapshot,
 * conditional on the previous one), parse and normalize, hash, and hand the result to the success
 * settle, which decides publication.
 */
export function createPipelineHandler(definition: PipelineDefinition, deps: PipelineHandlerDeps): JobHandler {
  const now = deps.now ?? Date.now;
  const metrics = deps.metrics ?? NO_METRICS;
  const paramsSchema = paramsWithMode(definition.paramsSchema);
  const followUpTargets: FollowUpTargets = deps.followUpTargets ?? ((name) => (name === definition.name ? handler : undefined));

  const handler: JobHandler = {
    pipeline: definition.name,
    scopeSchema: definition.scopeSchema,
    paramsSchema,
    timeoutMs: pipelineTimeoutMs(definition),
    async run(context: JobContext): Promise<JobHandlerResult> {
      const { job } = context;
      const scope = parseOrFail(definition.scopeSchema, job.scope, 'scope');
      const { mode = 'fetch', ...own } = job.params as { mode?: (typeof MODES)[number] } & JsonObject;
      const params = parseOrFail(definition.paramsSchema, own, 'params');
      const { snapshots, fetched, identicalBodies } = mode === 'renormalize' ? await snapshotsBehindLatest(job) : await fetchAll(context, scope, params);
      const parsed = runStep('parse', () => definition.parse({ scope, fetched }));
      const normalized = runStep('normalize', () => definition.normalize({ scope, parsed }));
      const content = JSON.parse(JSON.stringify(normalized)) as NormalizedContent;
      // A source can carry what the databases refuse (a "\u0000" escape in embedded JSON): the
      // attempt fails on its content here instead of in the success settle.
      const problem = jsonProblem(content);
      if (problem !== undefined) {
        throw new JobError('validation', 'UNSTORABLE_CONTENT', `the normalized content cannot be stored (${problem.message}) at ${['payload', ...problem.path].join('.')}`, {
          retryable: false,
        });
      }
      // Whatever the publication decision: an unchanged live game still needs its next poll.
      const followUps = definition.followUps === undefined ? undefined : declaredFollowUps(definition, { scope, params, content });
      return {
        parserVersion: definition.parserVersion,
        normalizerVersion: definition.normalizerVersion,
        counters: {
          mode,
          snapshots: snapshots.length,
          not_modified: snapshots.filter((s) => s.notModified).length,
          identical_bodies: identicalBodies,
          records: content.records.length,
          // The settle sets follow_ups_enqueued to what it stored, in its transaction.
          ...(followUps === undefined ? {} : { follow_ups_declared: followUps.length, follow_ups_enqueued: 0 }),
        },
        ...(followUps === undefined ? {} : { followUps }),
        ingestion: {
          scope,
          sourceSnapshotIds: snapshots.map((s) => s.id),
          sourceSnapshotHash: sourceSnapshotHash(snapshots),
          normalizedHash: normalizedHash(content),
          parserVersion: definition.parserVersion,
          normalizerVersion: definition.normalizerVersion,
          payload: content,
          forced: job.forceRepublish,
          ...(definition.describeChange === undefined ? {} : { describeChange: definition.describeChange.bind(definition) }),
        },
      };
    },
  };
  return handler;

  /** The follow-ups the pipeline declares, checked; a throw or a bad one fails the job (a bug in the pipeline). */
  function declaredFollowUps(pipeline: PipelineDefinition, input: Parameters<NonNullable<PipelineDefinition['followUps']>>[0]) {
    let declared: unknown;
    try {
      declared = pipeline.followUps?.(input);
    } catch (error) {
      if (error instanceof JobError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new JobError('validation', 'FOLLOW_UPS_FAILED', `followUps failed: ${message}`, { retryable: false, cause: error });
    }
    return checkFollowUps(declared, followUpTargets);
  }

  /** The responses parse reads: their records (lineage, hashes) and their bodies. */
  interface Sources {
    snapshots: SnapshotRecord[];
    fetched: FetchedResource[];
    /** 200s whose body was byte-identical to the previous snapshot of their resource. */
    identicalBodies: number;
  }

  async function fetchAll(context: JobContext, scope: JsonObject, params: JsonObject): Promise<Sources> {
    const { job, signal, logger } = context;
    const hooks = { waitingForTurn: <T>(turn: Promise<T>) => context.waitingOnSource(turn) };
    const lease = leaseOf(job);
    const snapshots: SnapshotRecord[] = [];
    const fetched: FetchedResource[] = [];
    const seen = new Set<string>();
    let identicalBodies = 0;
    /** How the source showed the resource unchanged since its previous snapshot, counted per host on the allowlist. */
    const unchanged = (request: ResourceRequest, how: UnchangedHow) => {
      const host = new URL(request.url).hostname;
      metrics.fetchUnchanged(isHostAllowed(host, definition.allowedHosts) ? host : 'other', how);
    };

    /** Saves a response as a snapshot; a reused 304 takes the earlier snapshot's validators where it sent none. */
    function keep(
      request: ResourceRequest,
      response: FetchResponse,
      how: { truncated: boolean; reusedFrom?: { etag: string | null; lastModified: string | null; contentType: string | null } },
    ): Promise<SnapshotRecord> {
      const earlier = how.reusedFrom;
      return deps.store.saveSnapshot({
        lease,
        pipeline: definition.name,
        scopeKey: job.scopeKey,
        resourceType: request.resourceType,
        resourceKey: request.resourceKey,
        method: request.method,
        url: response.finalUrl,
        status: response.status,
        notModified: earlier !== undefined,
        truncated: how.truncated,
        etag: response.headers.etag ?? earlier?.etag ?? null,
        lastModified: response.headers['last-modified'] ?? earlier?.lastModified ?? null,
        contentType: response.headers['content-type'] ?? earlier?.contentType ?? null,
        body: response.body,
      });
    }

    for (;;) {
      const requests = runStep('plan', () => definition.planRequests({ scope, params, fetched }));
      if (requests.length === 0) return { snapshots, fetched, identicalBodies };
      for (const request of requests) {
        const identity = `${request.resourceType}\u0000${request.resourceKey}`;
        if (seen.has(identity)) {
          throw new JobError('parse', 'PLAN_REPEATS_RESOURCE', `the request plan asked for ${request.resourceType} ${request.resourceKey} twice`);
        }
        seen.add(identity);
        if (seen.size > definition.maxRequests) {
          throw new JobError('validation', 'TOO_MANY_REQUESTS', `the plan needs more than ${definition.maxRequests} requests`, { retryable: false });
        }
        signal.throwIfAborted();
        const previous = await deps.store.previousValidators(definition.name, request.resourceType, request.resourceKey);
        let response: FetchResponse;
        try {
          response = await deps.fetcher.fetch(
            { ...request, allowedHosts: definition.allowedHosts, ...(previous === null ? {} : { conditional: previous }) },
            signal,
            hooks,
          );
        } catch (error) {
          if (!(error instanceof IncompleteResponseError)) throw error;
          // What arrived before the cut is evidence too; kept, marked truncated, never parsed.
          const partial = await keep(request, error.partial, { truncated: true });
          logger.debug({ resource_type: request.resourceType, status: error.partial.status, snapshot_id: partial.id }, 'fetch cut off');
          throw new JobError(
            error.category,
            error.code,
            `${error.message}; the ${partial.size} bytes received are kept as truncated snapshot ${partial.id}`,
            { retryable: error.retryable, cause: error },
          );
        }
        const reused = response.status === 304 && previous !== null ? await deps.store.loadBody(previous.sha256) : null;
        const body = reused ?? response.body;
        const snapshot = await keep(request, { ...response, body }, {
          truncated: false,
          ...(reused === null || previous === null ? {} : { reusedFrom: previous }),
        });
        logger.debug({ resource_type: request.resourceType, status: response.status, snapshot_id: snapshot.id, reused: reused !== null }, 'fetched');
        // Bodies are stored once per sha256: an identical one added a snapshot row, not a body.
        if (reused !== null) unchanged(request, 'not_modified');
        else if (response.status === 200 && previous !== null && snapshot.sha256 === previous.sha256) {
          identicalBodies++;
          unchanged(request, 'identical_body');
        }
        // The snapshot is kept either way; a response that is not content fails the job after it.
        const failure =
          response.status === 304 && reused === null
            ? new JobError('http_status', 'HTTP_304_WITHOUT_BODY', 'the source answered 304 but no earlier body is stored', { retryable: true })
            : classifyResponse({ status: response.status, headers: response.headers, bodyPrefix: textPrefix(body) }, now());
        if (failure !== undefined) throw failure;
        snapshots.push(snapshot);
        fetched.push(await withBody(snapshot, body));
      }
    }
  }

  async function snapshotsBehindLatest(job: Job): Promise<Sources> {
    const latest = await deps.store.latestPublication(definition.name, job.scopeKey);
    if (latest === null) {
      throw new JobError('validation', 'NOTHING_TO_RENORMALIZE', `scope ${job.scopeKey} has no publication to re-normalize`, { retryable: false });
    }
    const result = await deps.store.getNormalizedResult(latest.jobId);
    if (result === null) throw new JobError('internal', 'PUBLICATION_WITHOUT_RESULT', `publication ${latest.id} has no normalized result`);
    const snapshots = await deps.store.snapshotsByIds(result.sourceSnapshotIds);
    if (snapshots.length !== result.sourceSnapshotIds.length) {
      throw new JobError('internal', 'SNAPSHOTS_MISSING', `some snapshots behind publication ${latest.id} are missing`, { retryable: false });
    }
    return { snapshots, fetched: await Promise.all(snapshots.map((snapshot) => withBody(snapshot))), identicalBodies: 0 };
  }

  async function withBody(snapshot: SnapshotRecord, known?: Uint8Array): Promise<FetchedResource> {
    const body = known ?? (await deps.store.loadBody(snapshot.sha256));
    if (body === null) throw new JobError('internal', 'SNAPSHOT_BODY_MISSING', `the body of snapshot ${snapshot.id} is missing`);
    return {
      snapshotId: snapshot.id,
      resourceType: snapshot.resourceType,
      resourceKey: snapshot.resourceKey,
      url: snapshot.url,
      status: snapshot.status,
      contentType: snapshot.contentType,
      sha256: snapshot.sha256,
      body,
    };
  }
}

/**
 * The pipeline's params plus `mode`. A plain object schema is extended, so the schema states every
 * field (the API document is made from it); anything else is checked after `mode` is taken out.
 */
function paramsWithMode(own: z.ZodType): z.ZodType<JsonObject> {
  const mode = z.enum(MODES).optional();
  if (own instanceof z.ZodObject && (own._zod.def.checks ?? []).length === 0) {
    return own.extend({ mode }) as unknown as z.ZodType<JsonObject>;
  }
  return z.looseObject({ mode }).superRefine((value, ctx) => {
    const { mode: _mode, ...rest } = value;
    const result = own.safeParse(rest);
    if (!result.success) for (const issue of result.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  }) as unknown as z.ZodType<JsonObject>;
}

function parseOrFail<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const detail = result.error.issues.map((i) => `${[what, ...i.path.map(String)].join('.')}: ${i.message}`).join('; ');
  throw new JobError('validation', `INVALID_${what.toUpperCase()}`, detail, { retryable: false });
}

/** A pipeline step that throws something other than a JobError has a bug or met markup it does not know. */
function runStep<T>(step: 'plan' | 'parse' | 'normalize', work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof JobError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new JobError(step === 'normalize' ? 'validation' : 'parse', `${step.toUpperCase()}_FAILED`, `${step} failed: ${message}`, { cause: error });
  }
}

function textPrefix(body: Uint8Array): string {
  return new TextDecoder().decode(body.subarray(0, 4096));
}
