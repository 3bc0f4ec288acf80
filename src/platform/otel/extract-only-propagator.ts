import type { Context, TextMapGetter, TextMapPropagator } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * Reads a caller's W3C `traceparent`, so a service that enqueues a job sees the API's span in its
 * own trace, but writes none: the outgoing requests are to third-party providers, which have no
 * use for our trace ids and should see the same requests whether tracing is on or off.
 */
export class ExtractOnlyPropagator implements TextMapPropagator {
  private readonly w3c = new W3CTraceContextPropagator();

  inject(): void {
    // Deliberately nothing: see the class comment.
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    return this.w3c.extract(context, carrier, getter);
  }

  fields(): string[] {
    return [];
  }
}
