import type { MigrationFile } from './migration-files.js';

export interface AppliedMigration {
  version: string;
  checksum: string;
}

/** What each database does its own way; the rules live in runMigrations. */
export interface MigrationTarget {
  /** Holds the database-wide migration lock while `work` runs, so two starting processes take turns. */
  withLock<T>(work: () => Promise<T>): Promise<T>;
  ensureLedger(): Promise<void>;
  applied(): Promise<AppliedMigration[]>;
  /**
   * Runs the file and records it in one transaction, unless the ledger already has it: says which,
   * so that only files this process applied are reported as applied.
   */
  apply(file: MigrationFile): Promise<ApplyOutcome>;
  close(): Promise<void>;
}

export type ApplyOutcome = 'applied' | 'already-applied';

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

export interface MigrationStatus {
  pending: string[];
  /** Applied versions whose file changed or disappeared. */
  problems: string[];
}

export function compareWithFiles(applied: AppliedMigration[], files: MigrationFile[]): MigrationStatus {
  const byVersion = new Map(files.map((f) => [f.version, f]));
  const problems: string[] = [];
  for (const record of applied) {
    const file = byVersion.get(record.version);
    if (file === undefined) {
      problems.push(`${record.version} was applied but its file is missing (is this code older than the database?)`);
    } else if (file.checksum !== record.checksum) {
      problems.push(
        `${record.version} was changed after it was applied (recorded sha256 ${record.checksum.slice(0, 12)}…, file ${file.checksum.slice(0, 12)}…); add a new migration instead of editing an applied one`,
      );
    }
  }
  const done = new Set(applied.map((a) => a.version));
  return { pending: files.filter((f) => !done.has(f.version)).map((f) => f.version), problems };
}

/**
 * Applies pending files in lexical order, each in its own transaction, under the migration lock.
 * Refuses to touch anything when an applied file changed or is missing.
 */
export async function runMigrations(target: MigrationTarget, files: MigrationFile[]): Promise<{ applied: string[] }> {
  return target.withLock(async () => {
    await target.ensureLedger();
    const status = compareWithFiles(await target.applied(), files);
    if (status.problems.length > 0) {
      throw new MigrationError(`refusing to migrate:\n  - ${status.problems.join('\n  - ')}`);
    }
    const pending = new Set(status.pending);
    const applied: string[] = [];
    for (const file of files) {
      if (!pending.has(file.version)) continue;
      let outcome: ApplyOutcome;
      try {
        outcome = await target.apply(file);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new MigrationError(`migration ${file.version} failed and was rolled back: ${reason}`);
      }
      if (outcome === 'applied') applied.push(file.version);
    }
    return { applied };
  });
}

/** Pending and changed migrations, without applying anything (for readiness checks). */
export async function migrationStatus(target: MigrationTarget, files: MigrationFile[]): Promise<MigrationStatus> {
  await target.ensureLedger();
  return compareWithFiles(await target.applied(), files);
}
