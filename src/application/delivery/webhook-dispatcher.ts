import type { ChangeFeed, OutboxEvent } from '../../core/outbox.js';
import { webhookPayload } from '../../core/webhooks/webhook-payload.js';
import type { DispatchEvent, WebhookRepository } from '../../core/webhooks/webhook-repository.js';
import type { JobLogger } from '../job-handler.js';

export interface WebhookDispatcherOptions {
  feed: ChangeFeed;
  webhooks: WebhookRepository;
  /** Tries each delivery job gets (WEBHOOK_MAX_TRIES). */
  maxTries: number;
  /** The longest it waits for a change after a read that found nothing new. */
  pollIntervalMs: number;
  /** Events read and dispatched per transaction. */
  pageSize?: number;
  /** Names the stored cursor; dispatchers sharing a name share the work. */
  reader?: string;
  logger: JobLogger;
}

export const DEFAULT_READER = 'webhooks';
const DEFAULT_PAGE_SIZE = 200;

function dispatchEvent(event: OutboxEvent): DispatchEvent {
  return { id: event.id, type: event.type, pipeline: event.pipeline, scopeKey: event.scopeKey, payload: webhookPayload(event) };
}

/**
 * Turns the outbox into delivery jobs, from inside a worker process. Each pass reads a page after the
 * stored cursor and writes its deliveries, their jobs and the cursor's new place in one transaction
 * that first checks the cursor has not moved: any number of dispatchers may run, and a page is
 * dispatched once whoever reads it, and never lost to a crash between reading and writing.
 */
export class WebhookDispatcher {
  private readonly controller = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly reader: string;
  private readonly pageSize: number;

  constructor(private readonly options: WebhookDispatcherOptions) {
    this.reader = options.reader ?? DEFAULT_READER;
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  }

  start(): void {
    if (this.loop !== undefined) throw new Error('a dispatcher starts once');
    this.loop = this.run();
    this.options.logger.info({ poll_interval_ms: this.options.pollIntervalMs, reader: this.reader }, 'webhook dispatcher started');
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.loop;
  }

  /** One page: how many events it dispatched (0 when there was nothing new, or another dispatcher took it). */
  async dispatchPage(): Promise<{ events: number; full: boolean }> {
    const { feed, webhooks, logger } = this.options;
    const cursor = await webhooks.readDispatchCursor(this.reader);
    let page = await feed.read({ ...(cursor === null ? {} : { after: cursor }), limit: this.pageSize });
    if (!page.ok) {
      // Events past retention cannot be delivered any more; say so loudly and go on from the oldest kept.
      logger.error({ reader: this.reader, cursor, reason: page.reason }, 'the dispatcher cursor is no longer readable; continuing from the oldest event kept');
      page = await feed.read({ ...(page.reason === 'cursor_expired' ? { after: page.oldestCursor } : {}), limit: this.pageSize });
      if (!page.ok) throw new Error(`the change feed refused the oldest cursor it named (${page.reason})`);
    }
    if (page.events.length === 0 && page.nextCursor === cursor) return { events: 0, full: false };
    const written = await webhooks.dispatch({
      reader: this.reader,
      readAfter: cursor,
      nextCursor: page.nextCursor,
      events: page.events.map(dispatchEvent),
      maxTries: this.options.maxTries,
    });
    if (!written.ok) return { events: 0, full: true };
    if (written.deliveries > 0) logger.debug({ events: page.events.length, deliveries: written.deliveries }, 'webhook deliveries dispatched');
    return { events: page.events.length, full: page.events.length >= this.pageSize };
  }

  private async run(): Promise<void> {
    const { signal } = this.controller;
    while (!signal.aborted) {
      let again = false;
      try {
        again = (await this.dispatchPage()).full;
      } catch (error) {
        this.options.logger.error({ err: error }, 'dispatching webhooks failed; trying again after the poll interval');
      }
      if (again) continue;
      // Woken as soon as a publication may have added events; the poll interval bounds the wait.
      await this.options.feed.waitForChange(signal, this.options.pollIntervalMs).catch(() => false);
    }
  }
}
