import pg from 'pg';
import { startEmbeddedPostgres } from '../../test/support/embedded-postgres.js';

/**
 * Runs `work` against a fresh, empty database on TEST_DATABASE_URL's server, or on an embedded
 * PostgreSQL started for the purpose; the database (and the embedded server) are gone afterwards.
 */
export async function withThrowawayDatabase<T>(prefix: string, work: (dsn: string) => Promise<T>): Promise<T> {
  const given = process.env.TEST_DATABASE_URL;
  const server = given === undefined || given === '' ? await startEmbeddedPostgres() : undefined;
  const serverUrl = server?.url ?? given ?? '';
  const name = `${prefix}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return await work(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    await server?.stop();
  }
}
