import type { ApiHarness } from './api-harness.js';
import { normalizedHash } from '../../src/core/content-hashes.js';
import { leaseOf } from '../../src/core/job.js';

/** An event as the feed's routes serve it. */
export interface ChangeEventBody {
  id: string;
  type: string;
  cursor: string;
  pipeline: string;
  scope_key: string;
  scope: Record<string, unknown>;
  version: number;
}

export interface ChangePageBody {
  events: ChangeEventBody[];
  next_cursor: string;
}

/** Publishes version 1 of a scope per name, as a worker's success settle would; one event each. */
export async function publishScopes(api: ApiHarness, pipeline: string, names: string[]): Promise<void> {
  const jobs = names.map((name) => ({ pipeline, scope: { name }, params: {}, maxAttempts: 1, forceRepublish: false }));
  for (let i = 0; i < jobs.length; i += 500) await api.repository.enqueueJobs(jobs.slice(i, i + 500));
  for (;;) {
    const claimed = await api.repository.claimJobs({ workerId: 'feed-test', limit: 100, leaseMs: 60_000 });
    if (claimed.length === 0) return;
    // Settled side by side: each is its own transaction, as with a worker's concurrent jobs.
    await Promise.all(claimed.map(async (job) => {
      const payload = { records: [{ name: JSON.stringify(job.scope) }] };
      await api.repository.completeJob(leaseOf(job), {
        ingestion: {
          scope: job.scope,
          sourceSnapshotIds: [],
          sourceSnapshotHash: normalizedHash({ source: payload }),
          normalizedHash: normalizedHash(payload),
          parserVersion: '1',
          normalizerVersion: '1',
          payload,
          forced: false,
        },
      });
    }));
  }
}

/** One server-sent event, or a comment line (`comment` set). */
export interface SseFrame {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
  retry?: string;
}

/** A text/event-stream response read frame by frame. */
export class SseReader {
  private buffer = '';
  private readonly decoder = new TextDecoder();
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;

  constructor(
    readonly response: Response,
    private readonly controller: AbortController,
  ) {
    if (response.body === null) throw new Error('no body');
    this.reader = response.body.getReader();
  }

  /** The next frame, or null when the stream ended. */
  async next(): Promise<SseFrame | null> {
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end !== -1) {
        const block = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        return parseFrame(block);
      }
      const { value, done } = await this.reader.read();
      if (done) return null;
      this.buffer += this.decoder.decode(value, { stream: true });
    }
  }

  /** The next frame that is an event, skipping comments and the retry hint; null at the end. */
  async nextEvent(): Promise<SseFrame | null> {
    for (;;) {
      const frame = await this.next();
      if (frame === null || frame.data !== undefined) return frame;
    }
  }

  close(): void {
    this.controller.abort();
  }
}

function parseFrame(block: string): SseFrame {
  const frame: SseFrame = {};
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) {
      frame.comment = line.slice(1).trim();
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (name === 'id' || name === 'event' || name === 'data' || name === 'retry') frame[name] = value;
  }
  return frame;
}

/** Opens the stream; the caller closes it. A refusal (not 200) comes back with its body unread. */
export async function openStream(url: string, headers: Record<string, string>): Promise<SseReader> {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  return new SseReader(response, controller);
}
