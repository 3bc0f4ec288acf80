import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** An attribute value as OTLP/JSON encodes it (64-bit integers arrive as strings). */
interface OtlpValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: OtlpValue[] };
}

interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}

interface ExportTraceRequest {
  resourceSpans?: {
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: { scope?: { name?: string }; spans?: OtlpSpan[] }[];
  }[];
}

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: OtlpAttribute[];
  status?: { code?: number; message?: string };
}

export type AttributeValue = string | number | boolean | AttributeValue[] | undefined;

/** One span as received, with its resource's attributes and its own as plain objects. */
export interface ReceivedSpan {
  name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  /** The instrumentation scope that made it, e.g. `@opentelemetry/instrumentation-pg`. */
  scope: string | undefined;
  resource: Record<string, AttributeValue>;
  attributes: Record<string, AttributeValue>;
  status: { code?: number; message?: string } | undefined;
}

export const SPAN_KIND = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;

function plain(value: OtlpValue): AttributeValue {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(plain);
  return undefined;
}

function attributes(list: OtlpAttribute[] | undefined): Record<string, AttributeValue> {
  return Object.fromEntries((list ?? []).map((a) => [a.key, plain(a.value)]));
}

/**
 * A collector for tests: accepts OTLP/HTTP trace exports with JSON bodies on 127.0.0.1 (POST
 * /v1/traces) and keeps every span. Anything else, a protobuf body included, is answered 400 and
 * remembered as a problem, so a test sees an exporter it cannot read instead of no spans.
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly problems: string[] = [];
  /** Every request's headers, to check what the exporter sent (OTEL_EXPORTER_OTLP_HEADERS). */
  readonly requestHeaders: Record<string, string | string[] | undefined>[] = [];
  private server: Server | undefined;
  origin = '';

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.requestHeaders.push(request.headers);
        const refuse = (problem: string) => {
          this.problems.push(problem);
          response.writeHead(400, { 'content-type': 'application/json' }).end('{}');
        };
        if (request.method !== 'POST' || request.url !== '/v1/traces') return refuse(`${request.method} ${request.url}`);
        if (!String(request.headers['content-type']).startsWith('application/json')) return refuse(`content-type ${request.headers['content-type']}`);
        let body = Buffer.concat(chunks);
        if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        try {
          this.accept(JSON.parse(body.toString('utf8')) as ExportTraceRequest);
        } catch (error) {
          return refuse(`unreadable body: ${String(error)}`);
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  private accept(request: ExportTraceRequest): void {
    for (const resourceSpans of request.resourceSpans ?? []) {
      const resource = attributes(resourceSpans.resource?.attributes);
      for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
        for (const span of scopeSpans.spans ?? []) {
          this.spans.push({
            name: span.name,
            kind: span.kind,
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId === undefined || span.parentSpanId === '' ? undefined : span.parentSpanId,
            scope: scopeSpans.scope?.name,
            resource,
            attributes: attributes(span.attributes),
            status: span.status,
          });
        }
      }
    }
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
