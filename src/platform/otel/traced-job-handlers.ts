import { SpanKind, SpanStatusCode, type Attributes, type Tracer } from '@opentelemetry/api';
import type { JobContext, JobHandler, JobHandlerResult } from '../../application/job-handler.js';
import { JobError } from '../../core/job-error.js';
import { redactDsnsIn } from '../logger.js';

/** What a job span says about its job: the fields every log line of the job carries. */
function jobAttributes(context: JobContext): Attributes {
  const { job } = context;
  return {
    'job.id': job.id,
    'job.pipeline': job.pipeline,
    'job.attempt': job.attemptCount,
    ...(job.correlationId === null ? {} : { 'job.correlation_id': job.correlationId }),
  };
}

/**
 * Each handler's run inside a `job <pipeline>` span, active while it runs, so the fetches and
 * queries the run makes are its children. A failure sets the span's status and its category and
 * code; the settle that follows is the worker's and is not part of the span.
 */
export function traceJobHandlers(handlers: JobHandler[], tracer: Tracer): JobHandler[] {
  return handlers.map((handler) => ({
    pipeline: handler.pipeline,
    scopeSchema: handler.scopeSchema,
    paramsSchema: handler.paramsSchema,
    timeoutMs: handler.timeoutMs,
    run: (context: JobContext): Promise<JobHandlerResult> =>
      tracer.startActiveSpan(`job ${handler.pipeline}`, { kind: SpanKind.CONSUMER, attributes: jobAttributes(context) }, async (span) => {
        try {
          return await handler.run(context);
        } catch (error) {
          if (error instanceof JobError) span.setAttributes({ 'job.failure.category': error.category, 'job.failure.code': error.code });
          span.setStatus({ code: SpanStatusCode.ERROR, message: redactDsnsIn(error instanceof Error ? error.message : String(error)) });
          throw error;
        } finally {
          span.end();
        }
      }),
  }));
}
