import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import type { SqliteDriverChoice } from '../adapters/storage/sqlite/sqlite-driver.js';
import { DEFAULT_MAX_INTERRUPTIONS } from '../core/interruptions.js';
import { tracingExport, type TracingExport } from './tracing.js';

/** Empty strings count as unset, as they do in most .env files. */
const unset = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

const integer = (min: number, max: number) =>
  z.preprocess(
    unset,
    z.coerce
      .number({ error: 'must be a number' })
      .int({ error: 'must be a whole number' })
      .min(min, { error: `must be at least ${min}` })
      .max(max, { error: `must be at most ${max}` }),
  );

const seconds = (min: number, max: number) =>
  z.preprocess(
    unset,
    z.coerce
      .number({ error: 'must be a number of seconds' })
      .refine((n) => Number.isFinite(n), { error: 'must be a number of seconds' })
      .refine((n) => n >= min, { error: min === 0 ? 'must not be negative' : `must be positive (at least ${min})` })
      .refine((n) => n <= max, { error: `must be at most ${max}` }),
  );

const boolean = z.preprocess(
  unset,
  z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .transform((v) => v === 'true' || v === '1'),
);

const url = z.preprocess(unset, z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }));
const otlpUrl = z.preprocess(unset, z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://otel-collector:4318 (traces are sent over OTLP/HTTP)' }));

/** 1,000 jobs of about 1 KiB each. */
const DEFAULT_BATCH_BODY_LIMIT_BYTES = 1_048_576;

const fields = {
    DATABASE_DRIVER: z.preprocess(unset, z.enum(['postgres', 'sqlite'], { error: 'must be postgres or sqlite' }).default('sqlite')),
    DATABASE_DSN: z.preprocess(unset, z.string().optional()),
    DATABASE_RUN_MIGRATIONS: boolean.default(false),
    DATABASE_SQLITE_DRIVER: z.preprocess(
      unset,
      z.enum(['auto', 'node:sqlite', 'better-sqlite3'], { error: 'must be auto, node:sqlite or better-sqlite3' }).default('auto'),
    ),
    DATABASE_MAX_OPEN_CONNS: integer(1, 1000).default(10),
    DATABASE_MAX_IDLE_CONNS: integer(0, 1000).default(2),
    DATABASE_CONN_MAX_LIFETIME_SEC: integer(0, 86_400).default(1800),

    WORKER_ID: z.preprocess(unset, z.string().max(200).optional()),
    WORKER_POLL_INTERVAL_SEC: seconds(0.01, 3600).default(2),
    WORKER_LEASE_DURATION_SEC: seconds(1, 86_400).default(30),
    WORKER_HEARTBEAT_INTERVAL_SEC: seconds(0.1, 86_400).default(10),
    WORKER_CONCURRENCY: integer(1, 1000).default(4),
    WORKER_CLAIM_BATCH_SIZE: z.preprocess(unset, integer(1, 5000).optional()),
    WORKER_MAX_ATTEMPTS: integer(1, 1000).default(5),
    WORKER_BASE_RETRY_DELAY_SEC: seconds(0.001, 86_400).default(5),
    WORKER_MAX_RETRY_DELAY_SEC: seconds(0.001, 7 * 86_400).default(900),
    WORKER_SHUTDOWN_TIMEOUT_SEC: seconds(0, 3600).default(25),
    WORKER_DATABASE_UNAVAILABLE_EXIT_SEC: seconds(0.1, 86_400).default(120),
    WORKER_HTTP_HOST: z.preprocess(unset, z.string().default('127.0.0.1')),
    WORKER_HTTP_PORT: z.preprocess(unset, integer(0, 65_535).optional()),
    WORKER_MAX_INTERRUPTIONS: integer(1, 10_000).default(DEFAULT_MAX_INTERRUPTIONS),
    WORKER_JOB_TIMEOUT_SEC: seconds(1, 86_400).default(600),
    SCHEDULER_ENABLED: boolean.default(true),
    SCHEDULER_POLL_INTERVAL_SEC: seconds(0.05, 3600).default(0.5),
    SCHEDULES_FILE: z.preprocess(unset, z.string().optional()),
    OUTBOX_RETENTION_HOURS: integer(1, 87_600).default(168),

    INTERNAL_AUTH_TOKEN: z.preprocess(unset, z.string().min(16, { error: 'must be at least 16 characters' }).optional()),
    ALLOW_INSECURE_INTERNAL_AUTH: boolean.default(false),
    HTTP_HOST: z.preprocess(unset, z.string().default('0.0.0.0')),
    HTTP_PORT: integer(0, 65_535).default(8080),
    HTTP_BODY_LIMIT_BYTES: integer(1024, 10 * 1024 * 1024).default(65_536),
    HTTP_BATCH_BODY_LIMIT_BYTES: z.preprocess(unset, integer(1024, 64 * 1024 * 1024).optional()),
    HTTP_REQUEST_TIMEOUT_SEC: seconds(0.1, 3600).default(30),
    CHANGES_SSE_HEARTBEAT_SEC: seconds(0.05, 3600).default(15),
    CHANGES_SSE_MAX_STREAMS: integer(1, 100_000).default(100),
    LOG_LEVEL: z.preprocess(
      unset,
      z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'must be one of fatal, error, warn, info, debug, trace, silent' }).default('info'),
    ),
    LOG_FORMAT: z.preprocess(unset, z.enum(['json', 'pretty'], { error: 'must be json or pretty' }).default('json')),
    METRICS_QUEUE_STATS_TIMEOUT_SEC: seconds(0.1, 60).default(2),
    // Checked here so a typo stops the process at start; the OpenTelemetry SDK reads them itself.
    OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl.optional(),
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlpUrl.optional(),
    OTEL_EXPORTER_OTLP_PROTOCOL: z.preprocess(unset, z.string().optional()),
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: z.preprocess(unset, z.string().optional()),

    FETCH_CONTACT: z.preprocess(unset, z.string().min(3).max(200).default('operator@localhost')),
    FETCH_CONNECT_TIMEOUT_SEC: seconds(0.1, 300).default(10),
    FETCH_RESPONSE_TIMEOUT_SEC: seconds(0.1, 600).default(30),
    FETCH_TOTAL_TIMEOUT_SEC: seconds(0.1, 3600).default(60),
    FETCH_MAX_BODY_BYTES: integer(1024, 512 * 1024 * 1024).default(10 * 1024 * 1024),
    FETCH_MAX_REDIRECTS: integer(0, 20).default(5),
    FETCH_DEFAULT_REQUESTS_PER_MINUTE: integer(1, 100_000).default(60),
    FETCH_DEFAULT_MAX_CONCURRENCY_PER_HOST: integer(1, 100).default(2),

    SMOOTHCOMP_BASE_URL_OVERRIDE: url.optional(),
    SMOOTHCOMP_REQUESTS_PER_MINUTE: integer(1, 10_000).default(30),
    SMOOTHCOMP_MAX_CONCURRENCY_PER_HOST: integer(1, 100).default(2),
    ESPN_BASE_URL: url.default('https://site.api.espn.com'),
    ESPN_REQUESTS_PER_MINUTE: integer(1, 10_000).default(60),
    ESPN_LIVE_POLL_INTERVAL_SEC: integer(5, 3600).default(30),

    STATIC_DATASET_INCOMING_DIR: z.preprocess(unset, z.string().optional()),
    STATIC_DATASET_PROCESSING_DIR: z.preprocess(unset, z.string().optional()),
    STATIC_DATASET_ARCHIVE_DIR: z.preprocess(unset, z.string().optional()),
    STATIC_DATASET_FAILED_DIR: z.preprocess(unset, z.string().optional()),
    STATIC_DATASET_SCAN_INTERVAL_SEC: seconds(0.05, 3600).default(5),
    STATIC_DATASET_STABILITY_SEC: seconds(0, 3600).default(2),
    STATIC_DATASET_MAX_FILE_BYTES: integer(1024, 512 * 1024 * 1024).default(16 * 1024 * 1024),
    STATIC_DATASET_WATCH: boolean.default(true),
    STATIC_DATASET_RECOVER_AFTER_SEC: seconds(0, 86_400).default(60),
    WEBHOOK_DISPATCHER_ENABLED: boolean.default(true),
    WEBHOOK_DISPATCH_POLL_INTERVAL_SEC: seconds(0.01, 3600).default(0.25),
    WEBHOOK_ALLOW_PRIVATE_TARGETS: boolean.default(false),
    WEBHOOK_CONNECT_TIMEOUT_SEC: seconds(0.1, 120).default(5),
    WEBHOOK_TIMEOUT_SEC: seconds(0.1, 300).default(15),
    WEBHOOK_DISABLE_AFTER_FAILING_HOURS: seconds(0, 24 * 365).default(120),
    WEBHOOK_PREVIOUS_SECRET_VALID_HOURS: seconds(0, 24 * 30).default(24),
};

const schema = z.object(fields);
export type Env = z.infer<typeof schema>;

/**
 * Rules that relate two variables. They run on every variable that parsed on its own, so one
 * bad value does not hide a problem elsewhere.
 */
function crossCheck(env: Partial<Env>, report: (variable: keyof Env, message: string) => void): void {
  if (env.DATABASE_DRIVER === 'postgres' && env.DATABASE_DSN === undefined) {
    report('DATABASE_DSN', 'is required when DATABASE_DRIVER=postgres (a postgres:// URL)');
  }
  if (env.DATABASE_DRIVER === 'postgres' && env.DATABASE_DSN !== undefined && !/^postgres(ql)?:\/\//.test(env.DATABASE_DSN)) {
    report('DATABASE_DSN', 'must be a postgres:// or postgresql:// URL');
  }
  const heartbeat = env.WORKER_HEARTBEAT_INTERVAL_SEC;
  const lease = env.WORKER_LEASE_DURATION_SEC;
  if (heartbeat !== undefined && lease !== undefined && heartbeat >= lease) {
    report('WORKER_HEARTBEAT_INTERVAL_SEC', `must be below WORKER_LEASE_DURATION_SEC (${lease}), or leases expire between heartbeats`);
  }
  const base = env.WORKER_BASE_RETRY_DELAY_SEC;
  const max = env.WORKER_MAX_RETRY_DELAY_SEC;
  if (base !== undefined && max !== undefined && base > max) {
    report('WORKER_BASE_RETRY_DELAY_SEC', `must not exceed WORKER_MAX_RETRY_DELAY_SEC (${max})`);
  }
  const total = env.FETCH_TOTAL_TIMEOUT_SEC;
  const connect = env.FETCH_CONNECT_TIMEOUT_SEC;
  if (env.WEBHOOK_TIMEOUT_SEC !== undefined && env.WEBHOOK_CONNECT_TIMEOUT_SEC !== undefined && env.WEBHOOK_TIMEOUT_SEC < env.WEBHOOK_CONNECT_TIMEOUT_SEC) {
    report('WEBHOOK_TIMEOUT_SEC', `must be at least WEBHOOK_CONNECT_TIMEOUT_SEC (${env.WEBHOOK_CONNECT_TIMEOUT_SEC}): it covers the connect as well as the answer`);
  }
  if (total !== undefined && connect !== undefined && total < connect) {
    report('FETCH_TOTAL_TIMEOUT_SEC', `must be at least FETCH_CONNECT_TIMEOUT_SEC (${connect}): it covers the connect as well as the response`);
  }
  const batchLimit = env.HTTP_BATCH_BODY_LIMIT_BYTES;
  const bodyLimit = env.HTTP_BODY_LIMIT_BYTES;
  if (batchLimit !== undefined && bodyLimit !== undefined && batchLimit < bodyLimit) {
    report('HTTP_BATCH_BODY_LIMIT_BYTES', `must be at least HTTP_BODY_LIMIT_BYTES (${bodyLimit}): a job that POST /jobs accepts must fit in a batch`);
  }
  const dropDirs = ['STATIC_DATASET_PROCESSING_DIR', 'STATIC_DATASET_ARCHIVE_DIR', 'STATIC_DATASET_FAILED_DIR'] as const;
  if (env.STATIC_DATASET_INCOMING_DIR === undefined) {
    for (const name of dropDirs) if (env[name] !== undefined) report(name, 'has no effect without STATIC_DATASET_INCOMING_DIR, which turns the drop folder on');
  } else {
    const seen = new Map<string, string>([[resolve(env.STATIC_DATASET_INCOMING_DIR), 'STATIC_DATASET_INCOMING_DIR']]);
    for (const name of dropDirs) {
      const dir = env[name];
      if (dir === undefined) continue;
      const other = seen.get(resolve(dir));
      if (other !== undefined) report(name, `must be a folder of its own, not the same as ${other}`);
      seen.set(resolve(dir), name);
    }
  }
  const idle = env.DATABASE_MAX_IDLE_CONNS;
  const open = env.DATABASE_MAX_OPEN_CONNS;
  if (idle !== undefined && open !== undefined && idle > open) {
    report('DATABASE_MAX_IDLE_CONNS', `must not exceed DATABASE_MAX_OPEN_CONNS (${open})`);
  }
}

export interface AppConfig {
  database:
    | { driver: 'postgres'; dsn: string; runMigrations: boolean; maxOpenConns: number; maxIdleConns: number; connMaxLifetimeSec: number }
    | { driver: 'sqlite'; path: string; runMigrations: boolean; sqliteDriver?: SqliteDriverChoice };
  worker: {
    id: string | undefined;
    pollIntervalMs: number;
    leaseMs: number;
    heartbeatIntervalMs: number;
    concurrency: number;
    /** Jobs one claim may take; above `concurrency`, the surplus waits in a local queue. */
    claimBatchSize: number;
    maxAttempts: number;
    baseRetryDelayMs: number;
    maxRetryDelayMs: number;
    shutdownTimeoutMs: number;
    /** Exit after this long with every claim and renewal failing (an unhealable error exits at once). */
    databaseUnavailableExitMs: number;
    /** The health endpoints; off when `port` is undefined, any free port when 0. */
    http: { host: string; port: number | undefined };
    /** Expired leases and database failures a job may have before it ends `exhausted`. */
    maxInterruptions: number;
    /** The run time bound of a pipeline that declares none. */
    defaultJobTimeoutMs: number;
  };
  http: {
    host: string;
    port: number;
    bodyLimitBytes: number;
    /** POST /jobs/batch's body limit: up to 1,000 jobs in one body. */
    batchBodyLimitBytes: number;
    /** Headers and body must arrive within this, or the client gets a 408 and the connection closes. */
    requestTimeoutMs: number;
    internalAuthToken: string | undefined;
    allowInsecureInternalAuth: boolean;
  };
  logLevel: Env['LOG_LEVEL'];
  /** `json` lines for machines; `pretty` for a person at a terminal (npm start picks it on a TTY). */
  logFormat: Env['LOG_FORMAT'];
  metrics: { queueStatsTimeoutMs: number };
  scheduler: { enabled: boolean; pollIntervalMs: number; file: string | undefined };
  /** Outbox events older than this are removed by workers; a cursor before them reads cursor_expired. */
  outbox: { retentionMs: number };
  /** The API's event streams: a heartbeat comment after `heartbeatMs` idle; at most `maxStreams` at once. */
  changes: { heartbeatMs: number; maxStreams: number };
  /** Set when spans are to be exported (an OTLP endpoint is configured); see tracing.ts. */
  tracing: TracingExport | undefined;
  fetch: {
    contact: string;
    connectTimeoutMs: number;
    responseTimeoutMs: number;
    /** One fetch, connect to last body byte, redirects included. */
    totalTimeoutMs: number;
    maxBodyBytes: number;
    maxRedirects: number;
    defaultBudget: { requestsPerMinute: number; maxConcurrency: number };
  };
  providers: {
    smoothcomp: { baseUrlOverride: string | undefined; requestsPerMinute: number; maxConcurrencyPerHost: number };
    espn: { baseUrl: string; requestsPerMinute: number; livePollIntervalSec: number };
  };
  /** The static snapshot drop folder; undefined (off) unless STATIC_DATASET_INCOMING_DIR is set. */
  staticDataset: StaticDatasetConfig | undefined;
  webhooks: {
    /** Whether a worker reads the outbox and makes delivery jobs. */
    dispatcherEnabled: boolean;
    dispatchPollIntervalMs: number;
    /** Let deliveries reach private, loopback and link-local addresses (tests and local use only). */
    allowPrivateTargets: boolean;
    connectTimeoutMs: number;
    /** One try: connect, request and the answer's first bytes. */
    timeoutMs: number;
    /** An endpoint failing without a success for this long is disabled. */
    disableAfterFailingMs: number;
    /** After a rotation, the previous secret signs too for this long. */
    previousSecretValidMs: number;
  };
}


export interface StaticDatasetConfig {
  /** Absolute paths. */
  folders: { incoming: string; processing: string; archive: string; failed: string };
  scanIntervalMs: number;
  /** A file is taken once its size and mtime have been unchanged this long. */
  stabilityMs: number;
  /** Larger files are refused, and larger uploads get a 413. */
  maxFileBytes: number;
  /** fs.watch wakes the scan early; the periodic scan runs either way. */
  watch: boolean;
  /** A file in processing that made no progress this long is taken over (its worker stopped). */
  recoverAfterMs: number;
}

function staticDatasetConfig(env: Env): StaticDatasetConfig | undefined {
  if (env.STATIC_DATASET_INCOMING_DIR === undefined) return undefined;
  const incoming = resolve(env.STATIC_DATASET_INCOMING_DIR);
  const beside = (name: string) => join(dirname(incoming), name);
  return {
    folders: {
      incoming,
      processing: resolve(env.STATIC_DATASET_PROCESSING_DIR ?? beside('processing')),
      archive: resolve(env.STATIC_DATASET_ARCHIVE_DIR ?? beside('archive')),
      failed: resolve(env.STATIC_DATASET_FAILED_DIR ?? beside('failed')),
    },
    scanIntervalMs: Math.round(env.STATIC_DATASET_SCAN_INTERVAL_SEC * 1000),
    stabilityMs: Math.round(env.STATIC_DATASET_STABILITY_SEC * 1000),
    maxFileBytes: env.STATIC_DATASET_MAX_FILE_BYTES,
    watch: env.STATIC_DATASET_WATCH,
    recoverAfterMs: Math.round(env.STATIC_DATASET_RECOVER_AFTER_SEC * 1000),
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_SQLITE_PATH = './storage/adapter.db';

/**
 * Reads and checks every setting at once. Every problem is reported in one error, each naming its
 * variable, so a broken deployment is fixed in one pass.
 */
export function loadConfig(source: Record<string, string | undefined>, defaults: Record<string, string> = {}): AppConfig {
  const input: Record<string, string | undefined> = { ...defaults };
  for (const [key, value] of Object.entries(source)) if (value !== undefined && value.trim() !== '') input[key] = value;
  const problems: string[] = [];
  const valid: Partial<Record<keyof Env, unknown>> = {};
  for (const [name, field] of Object.entries(fields) as [keyof Env, z.ZodType][]) {
    const result = field.safeParse(input[name]);
    if (result.success) valid[name] = result.data;
    else problems.push(...result.error.issues.map((issue) => `${name}: ${issue.message}`));
  }
  crossCheck(valid as Partial<Env>, (name, message) => problems.push(`${name}: ${message}`));
  if (problems.length > 0) throw new ConfigError(problems);
  const env = schema.parse(input);
  const ms = (sec: number) => Math.round(sec * 1000);
  return {
    database:
      env.DATABASE_DRIVER === 'postgres'
        ? {
            driver: 'postgres',
            dsn: env.DATABASE_DSN ?? '',
            runMigrations: env.DATABASE_RUN_MIGRATIONS,
            maxOpenConns: env.DATABASE_MAX_OPEN_CONNS,
            maxIdleConns: env.DATABASE_MAX_IDLE_CONNS,
            connMaxLifetimeSec: env.DATABASE_CONN_MAX_LIFETIME_SEC,
          }
        : {
            driver: 'sqlite',
            path: env.DATABASE_DSN ?? DEFAULT_SQLITE_PATH,
            runMigrations: env.DATABASE_RUN_MIGRATIONS,
            sqliteDriver: env.DATABASE_SQLITE_DRIVER,
          },
    worker: {
      id: env.WORKER_ID,
      pollIntervalMs: ms(env.WORKER_POLL_INTERVAL_SEC),
      leaseMs: ms(env.WORKER_LEASE_DURATION_SEC),
      heartbeatIntervalMs: ms(env.WORKER_HEARTBEAT_INTERVAL_SEC),
      concurrency: env.WORKER_CONCURRENCY,
      claimBatchSize: env.WORKER_CLAIM_BATCH_SIZE ?? env.WORKER_CONCURRENCY,
      maxAttempts: env.WORKER_MAX_ATTEMPTS,
      baseRetryDelayMs: ms(env.WORKER_BASE_RETRY_DELAY_SEC),
      maxRetryDelayMs: ms(env.WORKER_MAX_RETRY_DELAY_SEC),
      shutdownTimeoutMs: ms(env.WORKER_SHUTDOWN_TIMEOUT_SEC),
      databaseUnavailableExitMs: ms(env.WORKER_DATABASE_UNAVAILABLE_EXIT_SEC),
      http: { host: env.WORKER_HTTP_HOST, port: env.WORKER_HTTP_PORT },
      maxInterruptions: env.WORKER_MAX_INTERRUPTIONS,
      defaultJobTimeoutMs: ms(env.WORKER_JOB_TIMEOUT_SEC),
    },
    http: {
      host: env.HTTP_HOST,
      port: env.HTTP_PORT,
      bodyLimitBytes: env.HTTP_BODY_LIMIT_BYTES,
      // Unset, it never falls below the single-job limit, so raising that one alone stays valid.
      batchBodyLimitBytes: env.HTTP_BATCH_BODY_LIMIT_BYTES ?? Math.max(DEFAULT_BATCH_BODY_LIMIT_BYTES, env.HTTP_BODY_LIMIT_BYTES),
      requestTimeoutMs: ms(env.HTTP_REQUEST_TIMEOUT_SEC),
      internalAuthToken: env.INTERNAL_AUTH_TOKEN,
      allowInsecureInternalAuth: env.ALLOW_INSECURE_INTERNAL_AUTH,
    },
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT,
    metrics: { queueStatsTimeoutMs: ms(env.METRICS_QUEUE_STATS_TIMEOUT_SEC) },
    scheduler: { enabled: env.SCHEDULER_ENABLED, pollIntervalMs: ms(env.SCHEDULER_POLL_INTERVAL_SEC), file: env.SCHEDULES_FILE },
    outbox: { retentionMs: env.OUTBOX_RETENTION_HOURS * 3_600_000 },
    changes: { heartbeatMs: ms(env.CHANGES_SSE_HEARTBEAT_SEC), maxStreams: env.CHANGES_SSE_MAX_STREAMS },
    tracing: tracingExport(env),
    fetch: {
      contact: env.FETCH_CONTACT,
      connectTimeoutMs: ms(env.FETCH_CONNECT_TIMEOUT_SEC),
      responseTimeoutMs: ms(env.FETCH_RESPONSE_TIMEOUT_SEC),
      totalTimeoutMs: ms(env.FETCH_TOTAL_TIMEOUT_SEC),
      maxBodyBytes: env.FETCH_MAX_BODY_BYTES,
      maxRedirects: env.FETCH_MAX_REDIRECTS,
      defaultBudget: { requestsPerMinute: env.FETCH_DEFAULT_REQUESTS_PER_MINUTE, maxConcurrency: env.FETCH_DEFAULT_MAX_CONCURRENCY_PER_HOST },
    },
    providers: {
      smoothcomp: {
        baseUrlOverride: env.SMOOTHCOMP_BASE_URL_OVERRIDE,
        requestsPerMinute: env.SMOOTHCOMP_REQUESTS_PER_MINUTE,
        maxConcurrencyPerHost: env.SMOOTHCOMP_MAX_CONCURRENCY_PER_HOST,
      },
      espn: { baseUrl: env.ESPN_BASE_URL, requestsPerMinute: env.ESPN_REQUESTS_PER_MINUTE, livePollIntervalSec: env.ESPN_LIVE_POLL_INTERVAL_SEC },
    },
    staticDataset: staticDatasetConfig(env),
    webhooks: {
      dispatcherEnabled: env.WEBHOOK_DISPATCHER_ENABLED,
      dispatchPollIntervalMs: ms(env.WEBHOOK_DISPATCH_POLL_INTERVAL_SEC),
      allowPrivateTargets: env.WEBHOOK_ALLOW_PRIVATE_TARGETS,
      connectTimeoutMs: ms(env.WEBHOOK_CONNECT_TIMEOUT_SEC),
      timeoutMs: ms(env.WEBHOOK_TIMEOUT_SEC),
      disableAfterFailingMs: ms(env.WEBHOOK_DISABLE_AFTER_FAILING_HOURS * 3600),
      previousSecretValidMs: ms(env.WEBHOOK_PREVIOUS_SECRET_VALID_HOURS * 3600),
    },
  };
}

/** The API refuses to start open unless someone chose that explicitly. */
export function apiAuthToken(config: AppConfig): string | undefined {
  if (config.http.internalAuthToken !== undefined) return config.http.internalAuthToken;
  if (config.http.allowInsecureInternalAuth) return undefined;
  throw new ConfigError([
    'INTERNAL_AUTH_TOKEN: is required for the API (at least 16 characters); set ALLOW_INSECURE_INTERNAL_AUTH=true only for local development',
  ]);
}
