import pino, { type Logger } from 'pino';

/** Fields that may carry secrets; pino replaces their values before a line is written. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'password',
  '*.password',
  'token',
  '*.token',
  'dsn',
  '*.dsn',
  'connectionString',
  '*.connectionString',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'ingestion-adapter' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
      // Fastify keeps a logger instance's own serializers over its defaults, so these apply to requests too.
      serializers: { req: serializeRequest, err: serializeError },
    },
    destination,
  );
}

/**
 * The logger of a process. `json` writes one JSON object per line; `pretty` writes a readable line
 * per entry (time, level, message, then the fields) through pino-pretty, which is loaded only then.
 * Both pass through the same redaction. Writes are synchronous so nothing is lost at exit.
 */
export async function createProcessLogger(level: string, format: 'json' | 'pretty'): Promise<Logger> {
  if (format === 'json') return createLogger(level);
  const { default: pretty } = await import('pino-pretty');
  return createLogger(
    level,
    pretty({ sync: true, colorize: process.stdout.isTTY, translateTime: 'SYS:HH:MM:ss.l', ignore: 'service', singleLine: true }),
  );
}

/**
 * Query parameter names that may carry a credential: passwords (`password`, `sslpassword`, `pwd`),
 * tokens (`access_token`), keys (`api_key`, `apikey`, `key`), signatures (`sig`) and the like.
 */
const SECRET_PARAMETER = /pass|pwd|secret|token|key|sig|auth|credential|session|cookie/i;

/** `a=1&password=x` with the value of every credential-looking parameter replaced. */
export function redactQuery(query: string): string {
  return query
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=');
      if (eq === -1) return part;
      const name = part.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // A malformed escape: judge the name as written.
      }
      return SECRET_PARAMETER.test(decoded) ? `${name}=[redacted]` : part;
    })
    .join('&');
}

/** A request target (`/path?query`) or a URL with credential-looking query values replaced. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : `${url.slice(0, q + 1)}${redactQuery(url.slice(q + 1))}`;
}

/** A DSN fit for a log line: the userinfo password and any password-like query parameter replaced. */
export function redactDsn(dsn: string): string {
  try {
    const url = new URL(dsn);
    if (url.password !== '') url.password = 'redacted';
    url.hash = '';
    return redactUrl(url.toString());
  } catch {
    return '[unparseable dsn redacted]';
  }
}

// A quote may be part of a password, so only whitespace and markup delimiters end the URL.
const DSN_IN_TEXT = /postgres(?:ql)?:\/\/[^\s"<>`]+/gi;

/** Free text (an error message, a stack) with every postgres:// URL in it passed through redactDsn. */
export function redactDsnsIn(text: string): string {
  return text.replace(DSN_IN_TEXT, (dsn) => redactDsn(dsn));
}

interface LoggedRequest {
  method?: string;
  url?: string;
  ip?: string;
  host?: string;
  socket?: { remoteAddress?: string; remotePort?: number } | null;
}

/** What a request log line says about the request: the URL without credential-looking query values. */
function serializeRequest(request: LoggedRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: request.url === undefined ? undefined : redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip ?? request.socket?.remoteAddress,
    remotePort: request.socket?.remotePort,
  };
}

/** pino's error serializer, then any DSN in the error's text redacted (a driver may quote its input). */
function serializeError(error: Error): unknown {
  return scrub(pino.stdSerializers.err(error), 0);
}

/** Strings redacted; the serializer's own object is changed in place, nested ones are copied, never mutated. */
function scrub(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactDsnsIn(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
  const prototype: unknown = Object.getPrototypeOf(value);
  // Nested errors (a cause, AggregateError's members, an error-valued property) reach here already
  // serialized by pino, with its own error prototype; other class instances are left alone.
  if (depth > 0 && prototype !== Object.prototype && prototype !== null && !isSerializedError(value)) return value;
  const record = (depth === 0 ? value : { ...value }) as Record<string, unknown>;
  for (const key of Object.keys(record)) record[key] = scrub(record[key], depth + 1);
  return record;
}

function isSerializedError(value: object): boolean {
  return 'message' in value && 'stack' in value && 'type' in value;
}
