import { startApp as startAppProcess, type AppRun } from './app-process.js';

// Where most tests have always found them; app-process.ts is where they are defined.
export { PROJECT_ROOT, type AppRun } from './app-process.js';

/** Runs one of the apps to its exit, the way `npm run` does (node with the tsx loader), with exactly `env`. */
export async function runApp(entry: string, env: Record<string, string>, timeoutMs = 60_000, args: string[] = []): Promise<AppRun> {
  const app = startAppProcess(entry, env, args);
  let timer: NodeJS.Timeout | undefined;
  const overdue = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      app.child.kill('SIGKILL');
      reject(new Error(`${entry} did not exit within ${timeoutMs} ms\n${app.stderr()}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([app.exited, overdue]);
  } finally {
    clearTimeout(timer);
  }
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
 * process exits first (with its output) or nothing matches within `timeoutMs`, and then kills it.
 */
export async function startApp(
  entry: string,
  env: Record<string, string>,
  message: string,
  timeoutMs = 60_000,
  options: StartOptions = {},
): Promise<StartedApp> {
  const app = startAppProcess(entry, env, [], options);
  try {
    const line = await app.waitForMessage(message, timeoutMs);
    return { line, stop: () => app.stop() };
  } catch (error) {
    app.child.kill('SIGKILL');
    throw error;
  }
}
