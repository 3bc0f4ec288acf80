import { EventEmitter } from 'node:events';
import type { ChangeFeed, ChangeFeedPage, ChangeFeedRequest, OutboxEvent } from '../../src/core/outbox.js';

/** A change feed in memory: what the dispatcher reads, fed by the test. The cursor is the position. */
export class MemoryChangeFeed implements ChangeFeed {
  private readonly events: OutboxEvent[] = [];
  private seq = 0;
  private readonly changes = new EventEmitter().setMaxListeners(0);

  publish(pipeline: string, scopeKey: string, version = 1): OutboxEvent {
    this.seq++;
    const event: OutboxEvent = {
      id: `evt_${Date.now()}_${this.seq}`,
      type: 'publication.created',
      cursor: String(this.events.length + 1),
      occurredAt: new Date(),
      pipeline,
      scopeKey,
      scope: { key: scopeKey },
      publicationId: String(this.seq),
      version,
      envelopeHash: 'a'.repeat(64),
      supersedes: null,
    };
    this.events.push(event);
    this.changes.emit('change');
    return event;
  }

  read(request: ChangeFeedRequest): Promise<ChangeFeedPage> {
    const after = request.after === undefined ? 0 : Number(request.after);
    if (!Number.isInteger(after) || after < 0) return Promise.resolve({ ok: false, reason: 'invalid_cursor' });
    const events = this.events
      .slice(after)
      .filter((e) => (request.pipeline === undefined || e.pipeline === request.pipeline) && (request.scopeKey === undefined || e.scopeKey === request.scopeKey))
      .slice(0, request.limit);
    const last = events[events.length - 1];
    return Promise.resolve({ ok: true, events, nextCursor: last === undefined ? String(after) : last.cursor });
  }

  waitForChange(signal: AbortSignal, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (changed: boolean) => {
        clearTimeout(timer);
        this.changes.off('change', onChange);
        signal.removeEventListener('abort', onAbort);
        resolve(changed);
      };
      const onChange = () => done(true);
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.changes.on('change', onChange);
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) done(false);
    });
  }
}
