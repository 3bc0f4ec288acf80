import pg from 'pg';
import type { MigrationFile } from '../migrations/migration-files.js';
import type { AppliedMigration, ApplyOutcome, MigrationTarget } from '../migrations/run-migrations.js';

/** Any fixed 64-bit number; every process migrating this schema agrees on it. */
const MIGRATION_LOCK_KEY = '7154203389012551021';

/** Migrations over one dedicated connection, which holds a session advisory lock while it works. */
export function postgresMigrationTarget(connectionString: string): MigrationTarget {
  const client = new pg.Client({ connectionString, application_name: 'ingestion-adapter:migrate' });
  let connected: Promise<void> | undefined;
  const connect = () => (connected ??= client.connect().then(() => undefined));

  return {
    async withLock(work) {
      await connect();
      await client.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
      try {
        return await work();
      } finally {
        await client.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);
      }
    },
    async ensureLedger() {
      await connect();
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version text PRIMARY KEY,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    },
    async applied(): Promise<AppliedMigration[]> {
      const result = await client.query<AppliedMigration>('SELECT version, checksum FROM schema_migrations ORDER BY version');
      return result.rows;
    },
    async apply(file: MigrationFile): Promise<ApplyOutcome> {
      await client.query('BEGIN');
      try {
        // Under the lock nobody else writes the ledger; checked anyway so the outcome is never a guess.
        const existing = await client.query<{ checksum: string }>('SELECT checksum FROM schema_migrations WHERE version = $1', [file.version]);
        const recorded = existing.rows[0];
        if (recorded !== undefined) {
          if (recorded.checksum !== file.checksum) {
            throw new Error(`${file.version} was applied meanwhile by another process with a different checksum`);
          }
          await client.query('COMMIT');
          return 'already-applied';
        }
        // No parameters: the simple protocol runs every statement in the file.
        await client.query(file.sql);
        await client.query('INSERT INTO schema_migrations (version, checksum) VALUES ($1, $2)', [file.version, file.checksum]);
        await client.query('COMMIT');
        return 'applied';
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    },
    async close() {
      if (connected !== undefined) await client.end();
    },
  };
}
