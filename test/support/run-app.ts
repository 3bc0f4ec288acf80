import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface AppRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one of the apps the way `npm run` does (node with the tsx loader), with exactly `env`. */
export function runApp(entry: string, env: Record<string, string>, timeoutMs = 60_000, args: string[] = []): Promise<AppRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${entry} did not exit within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface StartedApp {
  /** The JSON log line that matched. */
  line: Record<string, unknown>;
  /** Sends SIGTERM and waits for the process to exit. */
  stop(): Promise<AppRun>;
}

/** How to run an app: the way `npm run` does (the default), or compiled JavaScript under plain node from `cwd`. */
export interface StartOptions {
  compiled?: { cwd: string };
}

/**
 * Starts a long-running app and waits for a JSON log line whose `msg` is `message`; rejects if the
 * process exits first (with its output) or nothing matches within `timeoutMs`.
 */
export function startApp(entry: string, env: Record<string, string>, message: string, timeoutMs = 60_000, options: StartOptions = {}): Promise<StartedApp> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, options.compiled === undefined ? ['--import', 'tsx', entry] : [entry], {
      cwd: options.compiled?.cwd ?? PROJECT_ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let matched = false;
    const exited = new Promise<AppRun>((done) => child.on('close', (code) => done({ code, stdout, stderr })));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${entry} did not log "${message}" within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (matched) return;
      for (const text of stdout.split('\n').slice(0, -1)) {
        if (!text.startsWith('{')) continue;
        const line = JSON.parse(text) as Record<string, unknown>;
        if (line.msg !== message) continue;
        matched = true;
        clearTimeout(timer);
        resolve({
          line,
          stop: () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
        return;
      }
    });
    void exited.then((run) => {
      clearTimeout(timer);
      if (!matched) reject(new Error(`${entry} exited with ${run.code} before logging "${message}"\n${run.stdout}\n${run.stderr}`));
    });
  });
}
