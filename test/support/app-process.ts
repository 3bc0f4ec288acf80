import { spawn, type ChildProcess } from 'node:child_process';
import { PROJECT_ROOT, type AppRun } from './run-app.js';
import { waitFor } from './wait-for.js';

/** A running app process whose output a test can watch while it runs. */
export interface AppProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited, whatever its code. */
  readonly exited: Promise<AppRun>;
  /** Waits for a line of stdout (the JSON log) matching `pattern` and returns it. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<AppRun>;
}

/** Starts one of the apps the way `npm run` does (node with the tsx loader), with exactly `env`. */
export function startApp(entry: string, env: Record<string, string>): AppProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<AppRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  let done = false;
  void exited.finally(() => (done = true));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitForLog: (pattern, timeoutMs = 30_000) =>
      waitFor(
        `a log line matching ${String(pattern)}`,
        () => {
          const line = stdout.split('\n').find((l) => pattern.test(l));
          if (line !== undefined) return line;
          if (done) throw new Error(`${entry} exited before logging ${String(pattern)}\n${stdout}\n${stderr}`);
          return undefined;
        },
        timeoutMs,
      ),
    stop: async (graceMs = 30_000) => {
      if (!done) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
