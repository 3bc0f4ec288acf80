import { canonicalJson } from '../core/canonical-json.js';
import { NO_METRICS, type IngestMetrics } from '../core/ingest-metrics.js';
import type { EnqueueJobInput, JobRepository } from '../core/job-repository.js';
import type { Job } from '../core/job.js';
import { scopeKeyOf } from '../core/scope-key.js';
import { sha256Hex } from '../core/sha256.js';
import { problemsFromZod, type FieldProblem } from './field-problem.js';
import type { HandlerRegistry } from './handler-registry.js';

export interface EnqueueJobRequest {
  pipeline: string;
  scope: unknown;
  params?: unknown;
  priority?: number;
  maxAttempts?: number;
  runAt?: Date;
  forceRepublish?: boolean;
  correlationId?: string;
  idempotencyKey?: string;
}

export type EnqueueJobOutcome =
  | { kind: 'created'; job: Job }
  /** The idempotency key matched a job made by the same request. */
  | { kind: 'replayed'; job: Job }
  /** The idempotency key matched a job made by a different request. */
  | { kind: 'idempotency_conflict'; job: Job }
  | { kind: 'invalid'; problems: FieldProblem[] };

interface CheckedRequest {
  kind: 'valid';
  input: EnqueueJobInput;
}

/**
 * Checks a job request against its pipeline (registered, scope and params valid by the pipeline's
 * own schemas) and stores it. With an idempotency key, a repeat of the same request returns the
 * first job and a different request under the same key is refused.
 */
export class EnqueueJob {
  constructor(
    private readonly repository: JobRepository,
    private readonly handlers: HandlerRegistry,
    private readonly defaults: { maxAttempts: number },
    private readonly metrics: IngestMetrics = NO_METRICS,
  ) {}

  async execute(request: EnqueueJobRequest): Promise<EnqueueJobOutcome> {
    const [outcome] = await this.executeBatch([request]);
    if (outcome === undefined) throw new Error('enqueue returned no outcome');
    return outcome;
  }

  /**
   * Checks each request on its own and stores every valid one with one `enqueueJobs` call: one
   * statement and one wake-up on PostgreSQL, one transaction on SQLite. Invalid requests are not
   * stored and do not stop the others. Outcomes come back in request order. A key given twice in
   * one batch is stored once: a later identical request replays the first, a different one
   * conflicts with it.
   */
  async executeBatch(requests: readonly EnqueueJobRequest[]): Promise<EnqueueJobOutcome[]> {
    const checked = requests.map((request) => this.check(request));
    const inputs = checked.filter((c): c is CheckedRequest => c.kind === 'valid').map((c) => c.input);
    const stored = inputs.length === 0 ? [] : await this.repository.enqueueJobs(inputs);
    const created = new Map<string, number>();
    for (const result of stored) if (result.created) created.set(result.job.pipeline, (created.get(result.job.pipeline) ?? 0) + 1);
    for (const [pipeline, count] of created) this.metrics.jobsEnqueued(pipeline, count);
    let next = 0;
    return checked.map((c): EnqueueJobOutcome => {
      if (c.kind === 'invalid') return c;
      const result = stored[next++];
      if (result === undefined) throw new Error('enqueue returned fewer jobs than it was given');
      if (result.created) return { kind: 'created', job: result.job };
      return result.job.requestFingerprint === c.input.requestFingerprint
        ? { kind: 'replayed', job: result.job }
        : { kind: 'idempotency_conflict', job: result.job };
    });
  }

  /** The request against its pipeline's schemas, resolved to what storage takes. */
  private check(request: EnqueueJobRequest): CheckedRequest | { kind: 'invalid'; problems: FieldProblem[] } {
    const handler = this.handlers.get(request.pipeline);
    if (handler === undefined) {
      return {
        kind: 'invalid',
        problems: [{ field: 'pipeline', message: `unknown pipeline; registered: ${this.handlers.pipelines().join(', ')}` }],
      };
    }
    const scope = handler.scopeSchema.safeParse(request.scope);
    const params = handler.paramsSchema.safeParse(request.params ?? {});
    const problems = [
      ...(scope.success ? [] : problemsFromZod('scope', scope.error)),
      ...(params.success ? [] : problemsFromZod('params', params.error)),
    ];
    if (!scope.success || !params.success) return { kind: 'invalid', problems };

    const resolved = {
      pipeline: request.pipeline,
      scope: scope.data,
      params: params.data,
      priority: request.priority ?? 0,
      maxAttempts: request.maxAttempts ?? this.defaults.maxAttempts,
      runAt: request.runAt?.toISOString() ?? null,
      forceRepublish: request.forceRepublish ?? false,
    };
    // What makes two requests "the same" for an idempotency key; the correlation id does not count.
    const fingerprint = request.idempotencyKey === undefined ? undefined : sha256Hex(canonicalJson(resolved));
    return {
      kind: 'valid',
      input: {
        pipeline: resolved.pipeline,
        scope: resolved.scope,
        scopeKey: scopeKeyOf(resolved.scope),
        params: resolved.params,
        priority: resolved.priority,
        maxAttempts: resolved.maxAttempts,
        forceRepublish: resolved.forceRepublish,
        ...(request.runAt === undefined ? {} : { runAt: request.runAt }),
        ...(request.correlationId === undefined ? {} : { correlationId: request.correlationId }),
        ...(request.idempotencyKey === undefined ? {} : { idempotencyKey: request.idempotencyKey }),
        ...(fingerprint === undefined ? {} : { requestFingerprint: fingerprint }),
      },
    };
  }
}
