import { execFileSync } from 'node:child_process';

export interface Revision {
  commit: string;
  /** Uncommitted changes to the code that was measured (src/, migrations/) at the start of the run. */
  dirty: boolean;
}

/** Which version of the service the figures belong to. */
export function describeRevision(cwd: string): Revision {
  const git = (...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
  try {
    return { commit: git('rev-parse', '--short', 'HEAD'), dirty: git('status', '--porcelain', '--', 'src', 'migrations') !== '' };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}
