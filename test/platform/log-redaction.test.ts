import { Writable } from 'node:stream';
import { describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../src/platform/logger.js';
import { startApiHarness } from '../http/api-harness.js';
import { runApp } from '../support/run-app.js';

const SECRETS = ['Userinfo-Pw-4417', 'Query-Pw-9034', 'Ssl-Pw-2210', 'Ssl-Key-Pass-5521'];

/** A DSN to a database that does not exist, with a password in every place libpq takes one. */
function secretDsn(): string {
  const url = new URL(inject('postgresUrl'));
  url.username = 'postgres';
  url.password = SECRETS[0]!;
  url.pathname = '/no_such_database_for_redaction';
  url.search = `?sslmode=disable&password=${SECRETS[1]}&sslpassword=${SECRETS[2]}&sslkey_passphrase=${SECRETS[3]}`;
  return url.toString();
}

function capture(): { lines: string[]; sink: Writable } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, sink };
}

describe('secrets in logs', () => {
  it('a process started with a DSN full of passwords prints none of them, at start or when it fails', async () => {
    const run = await runApp(
      'apps/api/main.ts',
      {
        DATABASE_DRIVER: 'postgres',
        DATABASE_DSN: secretDsn(),
        DATABASE_RUN_MIGRATIONS: 'true',
        INTERNAL_AUTH_TOKEN: 'a-token-of-sixteen-or-more',
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: '0',
      },
      30_000,
    );
    // A database that does not exist will not heal: one line and EX_UNAVAILABLE.
    expect(run.code).toBe(69);
    const start = run.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line.msg === 'starting api');
    expect(start?.database).toMatch(/password=\[redacted\]/);
    expect(start?.database).toContain('no_such_database_for_redaction');
    expect(run.stderr).toContain('cannot start');
    for (const secret of SECRETS) expect(run.stdout + run.stderr).not.toContain(secret);
  });

  it('an error quoting a DSN is logged with the DSN redacted', () => {
    const { lines, sink } = capture();
    const logger = createLogger('info', sink);
    const error = Object.assign(new Error(`could not connect to ${secretDsn()}`), { input: secretDsn() });
    logger.error({ err: error }, 'database connection error');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('no_such_database_for_redaction');
    for (const secret of SECRETS) expect(lines[0]).not.toContain(secret);
    expect(error.message).toContain(SECRETS[1]); // the error itself is left as it was
  });

  it('DSNs in nested errors and passwords holding a quote are redacted too', () => {
    const { lines, sink } = capture();
    const logger = createLogger('info', sink);
    const quoted = "postgres://ingest:ab'cd-Quoted-Pw-3391@db.internal:5432/ingest";
    const inner = new Error(`connect failed for ${secretDsn()}`);
    const aggregate = new AggregateError([new Error(`first address: ${secretDsn()}`), inner], 'all addresses failed');
    const wrapped = Object.assign(new Error(`opening ${quoted} failed`), { inner, cause: aggregate });
    logger.error({ err: wrapped }, 'database connection error');
    logger.error({ err: aggregate }, 'database connection error');
    expect(lines).toHaveLength(2);
    expect(lines.join('')).toContain('no_such_database_for_redaction');
    for (const secret of [...SECRETS, 'Quoted-Pw-3391']) expect(lines.join('')).not.toContain(secret);
  });

  it('request logs show credential-looking query parameters as [redacted]', async () => {
    const api = await startApiHarness();
    try {
      const query = 'access_token=Tok-1&token=Tok-2&api_key=Key-3&apikey=Key-4&key=Key-5&password=Pw-6&secret=Sec-7&signature=Sig-8&sig=Sig-9&auth=Auth-10&limit=5';
      const response = await api.app.inject({ method: 'GET', url: `/internal/v1/health/live?${query}` });
      expect(response.statusCode).toBe(200);
      const incoming = api.logs.find((line) => line.msg === 'incoming request');
      expect((incoming?.req as { url?: string } | undefined)?.url).toBe(
        '/internal/v1/health/live?access_token=[redacted]&token=[redacted]&api_key=[redacted]&apikey=[redacted]&key=[redacted]' +
          '&password=[redacted]&secret=[redacted]&signature=[redacted]&sig=[redacted]&auth=[redacted]&limit=5',
      );
      const everything = api.rawLogs.join('');
      for (const secret of ['Tok-1', 'Tok-2', 'Key-3', 'Key-4', 'Key-5', 'Pw-6', 'Sec-7', 'Sig-8', 'Sig-9', 'Auth-10']) {
        expect(everything).not.toContain(secret);
      }
    } finally {
      await api.close();
    }
  });
});
