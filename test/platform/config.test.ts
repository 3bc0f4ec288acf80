import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/platform/config.js';
import { runApp } from '../support/run-app.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('needs nothing to run locally: SQLite and sensible worker defaults', () => {
    const config = loadConfig({});
    expect(config.database).toEqual({ driver: 'sqlite', path: './storage/adapter.db', runMigrations: false, sqliteDriver: 'auto' });
    expect(config.worker).toMatchObject({ leaseMs: 30_000, heartbeatIntervalMs: 10_000, concurrency: 4, claimBatchSize: 4, maxAttempts: 5 });
    expect(config.http.allowInsecureInternalAuth).toBe(false);
  });

  it('reads LOG_FORMAT: json unless pretty is asked for; anything else is a problem naming it', () => {
    expect(loadConfig({}).logFormat).toBe('json');
    expect(loadConfig({ LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(problemsOf({ LOG_FORMAT: 'text' })).toEqual(['LOG_FORMAT: must be json or pretty']);
  });

  it('exports traces only with an OTLP endpoint: the traces endpoint as given, or the shared one with /v1/traces', () => {
    expect(loadConfig({}).tracing).toBeUndefined();
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracing).toEqual({ endpoint: 'http://collector:4318/v1/traces', warnings: [] });
    expect(
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://u:hunter2@traces.example/in?api_key=k1' }).tracing,
    ).toEqual({ endpoint: 'https://u:redacted@traces.example/in?api_key=[redacted]', warnings: [] });
  });

  it('refuses an OTLP endpoint that is not an http(s) URL, and warns of a protocol it will not speak', () => {
    expect(problemsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'grpc://collector:4317' })).toEqual([
      'OTEL_EXPORTER_OTLP_ENDPOINT: must be an http(s) URL such as http://otel-collector:4318 (traces are sent over OTLP/HTTP)',
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: must be an http(s) URL such as http://otel-collector:4318 (traces are sent over OTLP/HTTP)',
    ]);
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(loadConfig({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }).tracing?.warnings).toEqual([]);
    expect(loadConfig({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' }).tracing?.warnings).toEqual([
      'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/protobuf is not followed: spans are sent as OTLP/HTTP with JSON bodies (http/json)',
    ]);
  });

  it('reads a PostgreSQL deployment', () => {
    const config = loadConfig({
      DATABASE_DRIVER: 'postgres',
      DATABASE_DSN: 'postgres://u:p@db:5432/ingest',
      DATABASE_RUN_MIGRATIONS: 'true',
      DATABASE_MAX_OPEN_CONNS: '20',
      WORKER_LEASE_DURATION_SEC: '1.5',
      WORKER_HEARTBEAT_INTERVAL_SEC: '0.5',
      WORKER_CONCURRENCY: '32',
      WORKER_CLAIM_BATCH_SIZE: '500',
    });
    expect(config.database).toMatchObject({ driver: 'postgres', dsn: 'postgres://u:p@db:5432/ingest', runMigrations: true, maxOpenConns: 20 });
    expect(config.worker).toMatchObject({ leaseMs: 1_500, heartbeatIntervalMs: 500, concurrency: 32, claimBatchSize: 500 });
  });

  it('reports every problem at once, each naming its variable', () => {
    const problems = problemsOf({
      DATABASE_DRIVER: 'mysql',
      DATABASE_SQLITE_DRIVER: 'sqlite3',
      WORKER_LEASE_DURATION_SEC: '10',
      WORKER_HEARTBEAT_INTERVAL_SEC: '10',
      WORKER_CONCURRENCY: '0',
      WORKER_CLAIM_BATCH_SIZE: '0',
      WORKER_BASE_RETRY_DELAY_SEC: '-1',
      WORKER_MAX_ATTEMPTS: 'many',
      DATABASE_MAX_OPEN_CONNS: '2',
      DATABASE_MAX_IDLE_CONNS: '5',
      ALLOW_INSECURE_INTERNAL_AUTH: 'yes',
      HTTP_PORT: '70000',
    });
    expect([...problems].sort()).toEqual(
      [
        'ALLOW_INSECURE_INTERNAL_AUTH: must be true or false',
        'DATABASE_DRIVER: must be postgres or sqlite',
        'DATABASE_MAX_IDLE_CONNS: must not exceed DATABASE_MAX_OPEN_CONNS (2)',
        'DATABASE_SQLITE_DRIVER: must be auto, node:sqlite or better-sqlite3',
        'HTTP_PORT: must be at most 65535',
        'WORKER_BASE_RETRY_DELAY_SEC: must be positive (at least 0.001)',
        'WORKER_CONCURRENCY: must be at least 1',
        'WORKER_CLAIM_BATCH_SIZE: must be at least 1',
        'WORKER_HEARTBEAT_INTERVAL_SEC: must be below WORKER_LEASE_DURATION_SEC (10), or leases expire between heartbeats',
        'WORKER_MAX_ATTEMPTS: must be a number',
      ].sort(),
    );
  });

  it('reads the worker supervision settings: give-up bound and health listener (off by default)', () => {
    expect(loadConfig({}).worker).toMatchObject({ databaseUnavailableExitMs: 120_000, http: { host: '127.0.0.1', port: undefined } });
    const config = loadConfig({ WORKER_DATABASE_UNAVAILABLE_EXIT_SEC: '2.5', WORKER_HTTP_HOST: '0.0.0.0', WORKER_HTTP_PORT: '0' });
    expect(config.worker).toMatchObject({ databaseUnavailableExitMs: 2_500, http: { host: '0.0.0.0', port: 0 } });
    expect(problemsOf({ WORKER_DATABASE_UNAVAILABLE_EXIT_SEC: '0', WORKER_HTTP_PORT: '65536' }).sort()).toEqual([
      'WORKER_DATABASE_UNAVAILABLE_EXIT_SEC: must be positive (at least 0.1)',
      'WORKER_HTTP_PORT: must be at most 65535',
    ]);
  });

  it('requires a postgres URL for the postgres driver and a capped retry delay', () => {
    expect(problemsOf({ DATABASE_DRIVER: 'postgres', WORKER_BASE_RETRY_DELAY_SEC: '60', WORKER_MAX_RETRY_DELAY_SEC: '30' })).toEqual([
      'DATABASE_DSN: is required when DATABASE_DRIVER=postgres (a postgres:// URL)',
      'WORKER_BASE_RETRY_DELAY_SEC: must not exceed WORKER_MAX_RETRY_DELAY_SEC (30)',
    ]);
    expect(problemsOf({ DATABASE_DRIVER: 'postgres', DATABASE_DSN: 'mysql://x' })).toEqual([
      'DATABASE_DSN: must be a postgres:// or postgresql:// URL',
    ]);
  });

  it('gives the batch route its own body limit, never below the single-job one', () => {
    expect(loadConfig({}).http).toMatchObject({ bodyLimitBytes: 65_536, batchBodyLimitBytes: 1_048_576 });
    expect(loadConfig({ HTTP_BODY_LIMIT_BYTES: '2097152' }).http.batchBodyLimitBytes).toBe(2_097_152);
    expect(loadConfig({ HTTP_BATCH_BODY_LIMIT_BYTES: '300000' }).http.batchBodyLimitBytes).toBe(300_000);
    expect(problemsOf({ HTTP_BODY_LIMIT_BYTES: '131072', HTTP_BATCH_BODY_LIMIT_BYTES: '65536' })).toEqual([
      'HTTP_BATCH_BODY_LIMIT_BYTES: must be at least HTTP_BODY_LIMIT_BYTES (131072): a job that POST /jobs accepts must fit in a batch',
    ]);
  });

  it('gives a fetch a total deadline, which must leave room for the connect', () => {
    expect(loadConfig({}).fetch.totalTimeoutMs).toBe(60_000);
    expect(loadConfig({ FETCH_TOTAL_TIMEOUT_SEC: '2.5', FETCH_CONNECT_TIMEOUT_SEC: '2' }).fetch.totalTimeoutMs).toBe(2_500);
    expect(problemsOf({ FETCH_TOTAL_TIMEOUT_SEC: '5', FETCH_CONNECT_TIMEOUT_SEC: '10' })).toEqual([
      'FETCH_TOTAL_TIMEOUT_SEC: must be at least FETCH_CONNECT_TIMEOUT_SEC (10): it covers the connect as well as the response',
    ]);
    expect(problemsOf({ FETCH_TOTAL_TIMEOUT_SEC: '0' })).toEqual(['FETCH_TOTAL_TIMEOUT_SEC: must be positive (at least 0.1)']);
  });

  it('makes the worker process exit non-zero listing every problem', async () => {
    const run = await runApp('apps/worker/main.ts', {
      DATABASE_DRIVER: 'oracle',
      WORKER_HEARTBEAT_INTERVAL_SEC: '60',
      WORKER_CONCURRENCY: 'lots',
    });
    expect(run.code).toBe(78);
    expect(run.stderr).toContain('invalid configuration (3 problems)');
    expect(run.stderr).toContain('DATABASE_DRIVER: must be postgres or sqlite');
    expect(run.stderr).toContain('WORKER_CONCURRENCY: must be a number');
    expect(run.stderr).toContain('WORKER_HEARTBEAT_INTERVAL_SEC: must be below WORKER_LEASE_DURATION_SEC (30)');
    expect(run.stdout).toBe('');
  });
});
