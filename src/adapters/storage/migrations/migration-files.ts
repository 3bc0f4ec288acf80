import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface MigrationFile {
  /** The file name without `.sql`, e.g. `0001_job_ledger`. */
  version: string;
  sql: string;
  /** sha256 of the file's bytes: an applied file must never change. */
  checksum: string;
}

const FILE_NAME = /^(\d{4}_[a-z0-9_]+)\.sql$/;

export function migrationsDirectory(dialect: 'postgres' | 'sqlite'): string {
  return fileURLToPath(new URL(`../../../../migrations/${dialect}/`, import.meta.url));
}

/** Every `NNNN_name.sql` in the directory, in lexical order. Any other file name is an error. */
export function readMigrationFiles(directory: string): MigrationFile[] {
  const names = readdirSync(directory).sort();
  return names.map((name) => {
    const match = FILE_NAME.exec(name);
    if (match?.[1] === undefined) {
      throw new Error(`${join(directory, name)}: migration files are named NNNN_lowercase_name.sql`);
    }
    const bytes = readFileSync(join(directory, name));
    return { version: match[1], sql: bytes.toString('utf8'), checksum: createHash('sha256').update(bytes).digest('hex') };
  });
}
