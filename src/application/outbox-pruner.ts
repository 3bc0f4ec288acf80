import type { Logger } from 'pino';
import type { OutboxRetention } from '../core/outbox.js';
import { abortableSleep } from './abortable-sleep.js';

export interface OutboxPrunerOptions {
  outbox: OutboxRetention;
  retentionMs: number;
  /** Time between passes; the first runs at start. */
  intervalMs: number;
  logger: Logger;
}

/**
 * Keeps the outbox to its retention period: a pass at start and one every `intervalMs`. Any number
 * of workers may run one; passes remove a prefix of the feed's order and record the newest removed,
 * so two at once only share the work. A failed pass is logged and retried at the next interval.
 */
export class OutboxPruner {
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(private readonly options: OutboxPrunerOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort(new Error('outbox pruner stopped'));
    await this.loop;
  }

  /** One pass; what start and each interval run. */
  async pruneOnce(): Promise<number> {
    const { deleted } = await this.options.outbox.prune(this.options.retentionMs);
    if (deleted > 0) this.options.logger.info({ deleted, retention_hours: this.options.retentionMs / 3_600_000 }, 'outbox events past retention removed');
    return deleted;
  }

  private async run(): Promise<void> {
    const { signal } = this.stopping;
    while (!signal.aborted) {
      try {
        await this.pruneOnce();
      } catch (error) {
        this.options.logger.warn({ err: error }, 'outbox retention pass failed; retrying at the next interval');
      }
      try {
        await abortableSleep(this.options.intervalMs, signal);
      } catch {
        return;
      }
    }
  }
}
