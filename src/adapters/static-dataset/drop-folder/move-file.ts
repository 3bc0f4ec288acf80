import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, link, lstat, mkdir, open, readlink, rename, symlink, unlink, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';

export interface MoveResult {
  path: string;
  /** False when the file was already there under this name (another worker's move of the same file). */
  moved: boolean;
}

/**
 * Moves `from` into `toDir` under its own name, or `name (2).json`, `name (3).json`, … when that is
 * taken: never over another file. A hard link makes the new name (failing if it exists) and the old
 * one is then removed. Across filesystems (EXDEV) the bytes are copied to a hidden temporary file in
 * `toDir`, fsynced, linked to the final name, and only then is the source unlinked; a crash in
 * between leaves the source in place, so the move is redone, never lost. Returns the final path
 * (`moved` false when another worker had already linked this very file there), or undefined when
 * `from` was gone (another worker moved it first).
 */
export async function moveWithoutOverwrite(from: string, toDir: string, name: string = basename(from)): Promise<MoveResult | undefined> {
  await mkdir(toDir, { recursive: true });
  const info = await lstat(from).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (info === undefined) return undefined;
  // A directory cannot be hard-linked: it is renamed when the name is free (same filesystem only).
  if (info.isDirectory()) return renameDirectory(from, toDir, name);
  let staged: string | undefined;
  try {
    for (let n = 1; n < 10_000; n++) {
      const target = join(toDir, candidateName(name, n));
      try {
        await link(staged ?? from, target);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') {
          const there = await lstat(target).catch(() => undefined);
          if (staged === undefined && there !== undefined && there.ino === info.ino && there.dev === info.dev) {
            await unlinkIfThere(from);
            return { path: target, moved: false };
          }
          continue;
        }
        if (code === 'ENOENT' && staged === undefined) return undefined;
        if (code === 'EXDEV' && info.isSymbolicLink()) {
          if (await exists(target)) continue;
          await symlink(await readlink(from), target);
          await unlinkIfThere(from);
          return { path: target, moved: true };
        }
        if (code === 'EXDEV' && staged === undefined) {
          staged = await copyDurably(from, toDir);
          n--;
          continue;
        }
        if ((code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP') && staged === undefined) {
          // A filesystem without hard links: rename when the name is free (not atomic against a racing writer of that name).
          if (await exists(target)) continue;
          await rename(from, target);
          return { path: target, moved: true };
        }
        throw error;
      }
      if (staged !== undefined) {
        await unlink(staged);
        staged = undefined;
      }
      await syncDirectory(toDir);
      await unlinkIfThere(from);
      return { path: target, moved: true };
    }
    throw new Error(`no free name for ${name} in ${toDir}`);
  } finally {
    if (staged !== undefined) await unlink(staged).catch(() => undefined);
  }
}

/** Writes `content` as `name` in `dir` (or a free variant of it), whole or not at all. */
export async function writeBeside(dir: string, name: string, content: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const staged = join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  await writeFile(staged, content, { flag: 'wx' });
  await fsyncFile(staged);
  const moved = await moveWithoutOverwrite(staged, dir, name);
  if (moved === undefined) throw new Error(`${staged} vanished while being written`);
  return moved.path;
}

function candidateName(name: string, n: number): string {
  if (n === 1) return name;
  const ext = extname(name);
  return `${name.slice(0, name.length - ext.length)} (${n})${ext}`;
}

async function copyDurably(from: string, toDir: string): Promise<string> {
  const staged = join(toDir, `.${basename(from).slice(-100)}.${randomBytes(6).toString('hex')}.tmp`);
  await copyFile(from, staged, constants.COPYFILE_EXCL);
  await fsyncFile(staged);
  return staged;
}

async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  if (handle === undefined) return;
  try {
    await handle.sync().catch(() => undefined);
  } finally {
    await handle.close();
  }
}

async function unlinkIfThere(path: string): Promise<void> {
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

async function renameDirectory(from: string, toDir: string, name: string): Promise<MoveResult | undefined> {
  for (let n = 1; n < 10_000; n++) {
    const target = join(toDir, candidateName(name, n));
    if (await exists(target)) continue;
    try {
      await rename(from, target);
      return { path: target, moved: true };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') continue;
      throw error;
    }
  }
  throw new Error(`no free name for ${name} in ${toDir}`);
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

