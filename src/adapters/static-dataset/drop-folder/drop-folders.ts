import { dirname, isAbsolute, join, relative } from 'node:path';

/** The four folders of the drop. Incoming and processing must be on one filesystem (a claim is a rename). */
export interface DropFolders {
  incoming: string;
  processing: string;
  archive: string;
  failed: string;
}

/** Each folder not given sits beside incoming: `<parent>/processing`, `<parent>/archive`, `<parent>/failed`. */
export function dropFolders(incoming: string, given: Partial<Omit<DropFolders, 'incoming'>> = {}): DropFolders {
  const parent = dirname(incoming);
  return {
    incoming,
    processing: given.processing ?? join(parent, 'processing'),
    archive: given.archive ?? join(parent, 'archive'),
    failed: given.failed ?? join(parent, 'failed'),
  };
}

/** Where a file went, said relative to incoming's parent when it is under it (`archive/2026-12-01/a.json`). */
export function describeLocation(folders: DropFolders, path: string): string {
  const rel = relative(dirname(folders.incoming), path);
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

/** The dated subfolder of a day (UTC): `2026-12-01`. */
export function dayFolder(now: Date): string {
  return now.toISOString().slice(0, 10);
}
