import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait-for.js';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface AppRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A running app process whose output a test can watch while it runs. */
export interface AppProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited, whatever its code. */
  readonly exited: Promise<AppRun>;
  /** Waits for a whole line of stdout (the JSON log) matching `pattern` and returns it. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Waits for a JSON log line whose `msg` is `message` and returns it parsed. */
  waitForMessage(message: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<AppRun>;
}

/** Starts one of the apps the way `npm run` does (node with the tsx loader), with exactly `env`. */
export function startApp(
  entry: string,
  env: Record<string, string>,
  args: string[] = [],
  /** `compiled`: run built JavaScript under plain node from `cwd`, as the production image does. */
  options: { compiled?: { cwd: string } } = {},
): AppProcess {
  const command = options.compiled === undefined ? ['--import', 'tsx', entry, ...args] : [entry, ...args];
  const child = spawn(process.execPath, command, {
    cwd: options.compiled?.cwd ?? PROJECT_ROOT,
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

  const waitForLine = async (what: string, matches: (line: string) => boolean, timeoutMs = 30_000): Promise<string> => {
    try {
      return await waitFor(
        what,
        () => {
          // Whole lines only: one still being written may match before it is all there.
          const line = stdout.split('\n').slice(0, -1).find(matches);
          if (line !== undefined) return line;
          if (done) throw new Error(`${entry} exited (code ${child.exitCode}, signal ${child.signalCode}) before logging ${what}`);
          return undefined;
        },
        timeoutMs,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${stdout}\n${stderr}`, { cause: error });
    }
  };

  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitForLog: (pattern, timeoutMs) => waitForLine(`a log line matching ${String(pattern)}`, (line) => pattern.test(line), timeoutMs),
    waitForMessage: async (message, timeoutMs) => {
      const line = await waitForLine(`a log line whose msg is "${message}"`, (text) => messageOf(text) === message, timeoutMs);
      return JSON.parse(line) as Record<string, unknown>;
    },
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

/** The `msg` of a JSON log line; undefined for any other line. */
function messageOf(line: string): unknown {
  if (!line.startsWith('{')) return undefined;
  return (JSON.parse(line) as { msg?: unknown }).msg;
}
