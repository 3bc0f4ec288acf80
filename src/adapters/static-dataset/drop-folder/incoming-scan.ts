import { createHash } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { lstat, mkdir, readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { DropLedger } from '../../../core/snapshot-drops.js';
import { formatClaimName, newClaimToken } from './claim-name.js';
import { describeLocation } from './drop-folders.js';
import { errorReport, type DropIntake } from './drop-intake.js';
import { moveWithoutOverwrite, writeBeside } from './move-file.js';

export interface IncomingScanOptions {
  intake: DropIntake;
  ledger: DropLedger;
  logger: Pick<Logger, 'info' | 'warn' | 'debug'>;
  /** A file is taken once its size and mtime have not changed for this long. */
  stabilityMs: number;
  /** Larger files are refused. */
  maxBytes: number;
  now?: () => number;
}

/** Names left alone in incoming: still being written, or not meant for us. */
export function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || name.endsWith('.tmp') || name.endsWith('.part');
}

interface Observation {
  size: number;
  mtimeMs: number;
  ino: number;
  since: number;
}

/**
 * One pass over the folders: first every file in processing is settled (recovery after a crash is
 * the same code as the normal end of an import), then every file in incoming that has been stable
 * for the stability time is claimed by renaming it into processing and submitted. The observations
 * of sizes and mtimes are this process's own; a restart only waits the stability time again.
 */
export class IncomingScan {
  private readonly seen = new Map<string, Observation>();
  private readonly now: () => number;

  constructor(private readonly options: IncomingScanOptions) {
    this.now = options.now ?? Date.now;
  }

  async pass(): Promise<void> {
    const { folders } = this.options.intake;
    await Promise.all([folders.incoming, folders.processing].map((dir) => mkdir(dir, { recursive: true })));
    for (const name of await readdir(folders.processing)) {
      if (name.startsWith('.')) continue;
      await this.guard(name, () => this.options.intake.settle(name));
    }
    const names = (await readdir(folders.incoming)).filter((name) => !isIgnoredName(name));
    for (const name of [...this.seen.keys()]) if (!names.includes(name)) this.seen.delete(name);
    for (const name of names) await this.guard(name, () => this.consider(name));
  }

  private async guard(name: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      // One file's trouble (a permission, a vanished file) must not stop the others.
      this.options.logger.warn({ err: error, file: name }, 'drop folder: could not handle a file; it is tried again on the next pass');
    }
  }

  private async consider(name: string): Promise<void> {
    const path = join(this.options.intake.folders.incoming, name);
    const info = await lstat(path).catch(() => undefined);
    if (info === undefined) {
      this.seen.delete(name);
      return;
    }
    if (!this.stable(name, info)) return;
    this.seen.delete(name);
    const refusal = info.isSymbolicLink()
      ? 'a symbolic link (only regular files are imported)'
      : info.isDirectory()
        ? 'a directory (only regular files are imported)'
        : !info.isFile()
          ? 'not a regular file'
          : info.size === 0
            ? 'empty'
            : info.size > this.options.maxBytes
              ? `${info.size} bytes, over the ${this.options.maxBytes}-byte cap (STATIC_DATASET_MAX_FILE_BYTES)`
              : undefined;
    if (refusal !== undefined) {
      await this.refuse(name, info, refusal);
      return;
    }
    const sha256 = await hashFile(path);
    const claimName = formatClaimName({ sha256, token: newClaimToken(), fileName: name });
    try {
      // The claim: of several workers sharing the folder, one rename succeeds, the others find it gone.
      await rename(path, join(this.options.intake.folders.processing, claimName));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    this.options.logger.debug({ file: name, sha256 }, 'drop folder: file claimed');
    await this.options.intake.submitClaimed(claimName, 'folder');
  }

  /** True once the entry's size, mtime and inode have been the same for the stability time. */
  private stable(name: string, info: Stats): boolean {
    const now = this.now();
    const before = this.seen.get(name);
    if (before === undefined || before.size !== info.size || before.mtimeMs !== info.mtimeMs || before.ino !== info.ino) {
      this.seen.set(name, { size: info.size, mtimeMs: info.mtimeMs, ino: info.ino, since: now });
      return this.options.stabilityMs === 0;
    }
    return now - before.since >= this.options.stabilityMs;
  }

  private async refuse(name: string, info: Stats, reason: string): Promise<void> {
    const { folders } = this.options.intake;
    const moved = await moveWithoutOverwrite(join(folders.incoming, name), folders.failed, name);
    if (moved === undefined || !moved.moved) return;
    const storedAs = moved.path.slice(folders.failed.length + 1);
    const drop = {
      claimName: formatClaimName({ sha256: '0'.repeat(64), token: newClaimToken(), fileName: name }).replace(/^0+~/, 'refused~'),
      fileName: name,
      sha256: null,
      size: info.isFile() ? info.size : 0,
      via: 'folder' as const,
      jobId: null,
      outcome: 'refused' as const,
      location: describeLocation(folders, moved.path),
      detail: { reason },
    };
    await writeBeside(folders.failed, `${storedAs}.error.json`, `${JSON.stringify(errorReport(drop, storedAs), null, 2)}\n`);
    await this.options.ledger.recordDrop(drop);
    this.options.logger.warn({ file: name, reason, location: drop.location }, 'snapshot file refused');
  }
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
