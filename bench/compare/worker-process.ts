import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, ChildSpec, ParentMessage } from './protocol.js';

const CHILD_ENTRY = fileURLToPath(new URL('./child.ts', import.meta.url));
/** The TypeScript loader this process runs under, by absolute URL, so the child finds it from anywhere. */
const TSX = import.meta.resolve('tsx');

type Reply<T extends ChildMessage['type']> = Extract<ChildMessage, { type: T }>;

/** A worker running in a child process (`child.ts`), driven over its IPC channel. */
export class WorkerProcess {
  private readonly child: ChildProcess;
  private readonly replies: ChildMessage[] = [];
  private waiting: (() => void) | undefined;
  private exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  constructor(readonly spec: ChildSpec) {
    this.child = spawn(process.execPath, ['--import', TSX, CHILD_ENTRY, JSON.stringify(spec)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (message: ChildMessage) => {
      this.replies.push(message);
      this.waiting?.();
    });
    this.child.on('exit', (code, signal) => {
      this.exited = { code, signal };
      this.waiting?.();
    });
  }

  /** The next reply of `type`; rejects if the child reports a failure, exits or takes too long. */
  async next<T extends ChildMessage['type']>(type: T, timeoutMs: number): Promise<Reply<T>> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const failure = this.replies.find((m) => m.type === 'failed');
      if (failure?.type === 'failed') throw new Error(`${this.name} worker failed: ${failure.error}`);
      const index = this.replies.findIndex((m) => m.type === type);
      if (index !== -1) return this.replies.splice(index, 1)[0] as Reply<T>;
      if (this.exited !== undefined) throw new Error(`${this.name} worker exited (${this.exited.code ?? this.exited.signal}) before '${type}'`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`${this.name} worker: no '${type}' within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiting = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private get name(): string {
    return this.spec.queue ?? 'idle';
  }

  tell(message: ParentMessage): void {
    this.child.send(message);
  }

  /** Asks the worker to stop and waits for its report and its exit. */
  async stop(timeoutMs: number): Promise<Reply<'stopped'>> {
    this.tell({ type: 'stop' });
    const report = await this.next('stopped', timeoutMs);
    await this.exit(timeoutMs);
    return report;
  }

  /** Kills the child if it is still running (after a failure elsewhere). */
  async kill(): Promise<void> {
    if (this.exited !== undefined) return;
    this.child.kill('SIGKILL');
    await this.exit(5_000);
  }

  private async exit(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.exited === undefined && performance.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiting = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    if (this.exited === undefined) {
      this.child.kill('SIGKILL');
      throw new Error(`${this.name} worker did not exit within ${timeoutMs} ms; killed`);
    }
  }
}

/** Peak RSS of a worker process that loads no queue: what Node.js and the loader cost alone. */
export async function idleProcessRssMiB(): Promise<number> {
  const idle = new WorkerProcess({ queue: null, config: '', dsn: '', concurrency: 0, mode: { kind: 'drain' } });
  try {
    await idle.next('ready', 60_000);
    const report = await idle.stop(60_000);
    return Math.round((report.maxRssKb / 1024) * 10) / 10;
  } finally {
    await idle.kill();
  }
}
