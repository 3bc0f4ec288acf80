import { spawn } from 'node:child_process';
import { openSync, readFileSync, closeSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = import.meta.resolve('tsx');

export interface ApiProcess {
  url: string;
  pid: number;
  /** CPU time (user + system) the process has used so far, in ms, from /proc (Linux). */
  cpuMs(): number;
  stop(): Promise<void>;
}

/**
 * The production API process (`apps/api/main.ts`, as `npm run start:api` runs it) on a free
 * loopback port. Its log goes to a file, not a pipe, so reading it costs the benchmark nothing.
 */
export async function startApiProcess(env: Record<string, string>, timeoutMs = 60_000): Promise<ApiProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-enqueue-'));
  const logPath = join(dir, 'api.log');
  const log = openSync(logPath, 'w');
  const child = spawn(process.execPath, ['--import', TSX, 'apps/api/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', ...env },
    stdio: ['ignore', log, 'inherit'],
  });
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let alive = true;
  void exited.then(() => (alive = false));
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const listening = readFileSync(logPath, 'utf8')
      .split('\n')
      .filter((text) => text.startsWith('{'))
      .map((text) => JSON.parse(text) as { msg?: string; url?: string })
      .find((line) => line.msg === 'API listening');
    if (listening?.url !== undefined) {
      const pid = child.pid ?? 0;
      return {
        url: listening.url,
        pid,
        cpuMs: () => processCpuMs(pid),
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    if (!alive || performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the API did not start:\n${readFileSync(logPath, 'utf8').slice(-2000)}`);
    }
    await sleep(50);
  }
}

/** utime + stime of a process, from /proc/<pid>/stat, in ms (clock ticks are 100 Hz on Linux). */
function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name, in parentheses, may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
