import pg from 'pg';
import type { Unsubscribe } from '../../../core/job-repository.js';

export const JOBS_AVAILABLE_CHANNEL = 'ingestion_jobs_available';
/** Payload: the id of the running job an operator asked to cancel. */
export const CANCEL_REQUESTED_CHANNEL = 'ingestion_job_cancel_requested';

/** Sent at the commit of a transaction that wrote outbox events. */
export const OUTBOX_CHANNEL = 'ingestion_outbox_events';

const CHANNELS = [JOBS_AVAILABLE_CHANNEL, CANCEL_REQUESTED_CHANNEL, OUTBOX_CHANNEL] as const;
export type NotificationChannel = (typeof CHANNELS)[number];

/**
 * Called with a notification's payload, or with `undefined` once the connection is (re)established
 * after a failure: notifications sent meanwhile were missed.
 */
export type NotificationHandler = (payload: string | undefined) => void;

export interface NotificationListenerOptions {
  /** A failed connect or a lost connection; reported for the first failure in a row and every `reportEvery`-th after. */
  onError: (error: Error) => void;
  /** The connection is back after `failures` failed attempts in a row. */
  onRestored?: (failures: number) => void;
  initialRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  reportEvery?: number;
  /** [0, 1); injected so tests can pin the jitter. */
  random?: () => number;
}

/** How long a connect attempt may take before it counts as failed and is retried. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * One LISTEN connection per repository, for every channel, shared by every subscriber. A
 * subscription never gives up: if the first connect fails or the connection drops later, it
 * reconnects with capped exponential backoff and jitter, and then calls the subscribers once with
 * no payload. Workers also poll and renew their leases, so a missed notification only costs latency.
 */
export class NotificationListener {
  private readonly handlers = new Map<NotificationChannel, Set<NotificationHandler>>(CHANNELS.map((channel) => [channel, new Set()]));
  private client: pg.Client | undefined;
  private connecting: Promise<boolean> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private closed = false;
  private readonly initialRetryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly reportEvery: number;
  private readonly random: () => number;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly options: NotificationListenerOptions,
  ) {
    this.initialRetryDelayMs = options.initialRetryDelayMs ?? 500;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
    this.reportEvery = options.reportEvery ?? 10;
    this.random = options.random ?? Math.random;
  }

  /**
   * Registers `handler` and waits for the first connect attempt; if it fails, the subscription
   * stays registered and the connection is retried in the background.
   */
  async subscribe(channel: NotificationChannel, handler: NotificationHandler): Promise<Unsubscribe> {
    this.handlers.get(channel)?.add(handler);
    await this.ensureConnected();
    return async () => {
      this.handlers.get(channel)?.delete(handler);
      if (this.subscriberCount() === 0) await this.disconnect();
    };
  }

  get isConnected(): boolean {
    return this.client !== undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const set of this.handlers.values()) set.clear();
    await this.disconnect();
  }

  private subscriberCount(): number {
    let count = 0;
    for (const set of this.handlers.values()) count += set.size;
    return count;
  }

  /** Resolves once the current attempt is over, connected or not; a failure schedules the next. */
  private async ensureConnected(): Promise<void> {
    if (this.client !== undefined || this.closed || this.retryTimer !== undefined) return;
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    const connected = await this.connecting;
    if (!connected) this.scheduleRetry();
  }

  /** Never rejects: a failure is counted and reported. */
  private async connect(): Promise<boolean> {
    const client = new pg.Client({ connectionTimeoutMillis: CONNECT_TIMEOUT_MS, ...this.config });
    client.on('notification', (message) => this.dispatch(message.channel, message.payload));
    client.on('error', (error) => this.handleLoss(client, error));
    client.on('end', () => this.handleLoss(client, new Error('the LISTEN connection ended')));
    try {
      await client.connect();
      for (const channel of CHANNELS) await client.query(`LISTEN ${channel}`);
    } catch (error) {
      client.removeAllListeners('end');
      client.removeAllListeners('error');
      client.on('error', () => undefined);
      await client.end().catch(() => undefined);
      this.recordFailure(error instanceof Error ? error : new Error(String(error)));
      return false;
    }
    if (this.closed || this.subscriberCount() === 0) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      return true;
    }
    this.client = client;
    if (this.failures > 0) {
      this.options.onRestored?.(this.failures);
      this.failures = 0;
      // Whatever was announced while we were away was missed: let every subscriber look again.
      this.dispatchAll(undefined);
    }
    return true;
  }

  private handleLoss(client: pg.Client, error: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.removeAllListeners('end');
    this.recordFailure(error);
    this.scheduleRetry();
  }

  private recordFailure(error: Error): void {
    this.failures++;
    if (this.failures !== 1 && this.failures % this.reportEvery !== 0) return;
    const next = this.failures === 1 ? 'retrying with backoff' : `${this.failures} failures in a row; still retrying`;
    this.options.onError(new Error(`job notification connection failed (${next}): ${error.message}`, { cause: error }));
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer !== undefined || this.subscriberCount() === 0) return;
    const ceiling = Math.min(this.maxRetryDelayMs, this.initialRetryDelayMs * 2 ** Math.max(0, this.failures - 1));
    // Jitter: between half and all of the ceiling, so workers that lost the database together do not reconnect in lockstep.
    const delay = Math.round(ceiling * (0.5 + this.random() / 2));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.ensureConnected();
    }, delay);
    this.retryTimer.unref();
  }

  private dispatch(channel: string, payload: string | undefined): void {
    const set = this.handlers.get(channel as NotificationChannel);
    if (set === undefined) return;
    for (const handler of set) handler(payload);
  }

  private dispatchAll(payload: undefined): void {
    for (const channel of CHANNELS) this.dispatch(channel, payload);
  }

  private async disconnect(): Promise<void> {
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.connecting;
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) {
      client.removeAllListeners('end');
      client.removeAllListeners('error');
      client.on('error', () => undefined);
      await client.end().catch(() => undefined);
    }
  }
}
