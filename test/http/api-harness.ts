import type { FastifyInstance } from 'fastify';
import { Writable } from 'node:stream';
import type { Storage } from '../../src/adapters/storage/shared/storage.js';
import type { JobRepository } from '../../src/core/job-repository.js';
import type { PipelineDefinition } from '../../src/core/pipeline.js';
import { loadConfig, type AppConfig } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { buildApi } from '../../src/platform/start-api.js';
import { createFetcher } from '../../src/platform/fetcher.js';
import { createHandlers } from '../../src/platform/handlers.js';
import { migrateDatabase, openStorage } from '../../src/platform/storage.js';
import { createPostgresDatabase, createSqliteDatabase, type TestDatabase } from '../support/test-databases.js';

export const TOKEN = 'test-token-0123456789abcdef';

export interface ApiHarness {
  app: FastifyInstance;
  repository: JobRepository;
  storage: Storage;
  config: AppConfig;
  /** Every log line the app wrote, parsed. */
  logs: Record<string, unknown>[];
  rawLogs: string[];
  setDraining: () => void;
  close(): Promise<void>;
}

export type Dialect = 'sqlite' | 'postgres';

/**
 * The real API on a real database (a fresh SQLite file unless `dialect` says postgres), with a
 * captured logger; `env` overrides the settings.
 */
export async function startApiHarness(
  env: Record<string, string> = {},
  definitions: PipelineDefinition[] = [],
  dialect: Dialect = 'sqlite',
): Promise<ApiHarness> {
  const database: TestDatabase = dialect === 'postgres' ? await createPostgresDatabase() : await createSqliteDatabase();
  const config = loadConfig({
    DATABASE_DRIVER: dialect,
    DATABASE_DSN: database.dsn,
    INTERNAL_AUTH_TOKEN: TOKEN,
    HTTP_BODY_LIMIT_BYTES: '4096',
    WORKER_MAX_ATTEMPTS: '3',
    ...env,
  });
  await migrateDatabase(config.database);
  const storage = openStorage(config.database);
  const repository = storage.jobs;
  const logs: Record<string, unknown>[] = [];
  const rawLogs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const text = chunk.toString();
      rawLogs.push(text);
      logs.push(JSON.parse(text) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger(config.logLevel, sink);
  const handlers = createHandlers({ fetcher: createFetcher(config), store: storage.ingestion }, definitions);
  const { app, setDraining } = await buildApi(config, storage, logger, handlers);
  await app.ready();
  return {
    app,
    repository,
    storage,
    config,
    logs,
    rawLogs,
    setDraining,
    close: async () => {
      await app.close();
      await repository.close();
      await database.drop();
    },
  };
}

export const auth = { authorization: `Bearer ${TOKEN}` };
