import { watch, type FSWatcher } from 'node:fs';
import type { Logger } from 'pino';
import type { IncomingScan } from './incoming-scan.js';

export interface DropScannerOptions {
  scan: IncomingScan;
  incomingDir: string;
  intervalMs: number;
  /** fs.watch on incoming, only to run the next pass sooner; the periodic pass is what is relied on. */
  watch: boolean;
  logger: Pick<Logger, 'info' | 'warn'>;
}

/**
 * Runs a pass over the drop folders every `intervalMs` (files dropped while the service was down are
 * found by the first one, and it works where filesystem events do not, such as network shares), and
 * sooner when the watcher reports a change. Passes never overlap.
 */
export class DropScanner {
  private timer: NodeJS.Timeout | undefined;
  private watcher: FSWatcher | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly options: DropScannerOptions) {}

  start(): void {
    const { options } = this;
    if (options.watch) {
      try {
        this.watcher = watch(options.incomingDir, { persistent: false }, () => this.wake());
        this.watcher.on('error', (error) => options.logger.warn({ err: error }, 'drop folder watcher failed; the periodic scan goes on'));
      } catch (error) {
        options.logger.warn({ err: error }, 'drop folder watcher could not start; the periodic scan goes on');
      }
    }
    options.logger.info({ incoming: options.incomingDir, interval_ms: options.intervalMs, watch: this.watcher !== undefined }, 'drop folder scanning');
    this.wake();
  }

  /** Runs a pass now, or right after the one in progress. */
  wake(): void {
    if (this.stopped) return;
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.running = this.options.scan
      .pass()
      .catch((error: unknown) => this.options.logger.warn({ err: error }, 'drop folder pass failed; retried on the next one'))
      .finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          this.wake();
        } else {
          this.timer = setTimeout(() => this.wake(), this.options.intervalMs);
        }
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.watcher?.close();
    await this.running;
  }
}
