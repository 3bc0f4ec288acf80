import pg from 'pg';
import type { Unsubscribe } from '../../../core/job-repository.js';

export const JOBS_AVAILABLE_CHANNEL = 'ingestion_jobs_available';

const RECONNECT_DELAY_MS = 1000;

/**
 * One LISTEN connection per repository, shared by every subscriber. If the connection drops it
 * reconnects after a pause and wakes the subscribers once, since a notification may have been
 * missed meanwhile; workers also poll, so a lost notification only costs latency.
 */
export class JobAvailableListener {
  private readonly listeners = new Set<() => void>();
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly onError: (error: Error) => void,
  ) {}

  async subscribe(listener: () => void): Promise<Unsubscribe> {
    this.listeners.add(listener);
    await this.ensureConnected();
    return async () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) await this.disconnect();
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    await this.disconnect();
  }

  private ensureConnected(): Promise<void> {
    if (this.client !== undefined || this.closed) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.config);
    client.on('notification', () => this.wakeAll());
    client.on('error', (error) => this.handleLoss(client, error));
    client.on('end', () => this.handleLoss(client, new Error('LISTEN connection ended')));
    await client.connect();
    await client.query(`LISTEN ${JOBS_AVAILABLE_CHANNEL}`);
    if (this.closed || this.listeners.size === 0) {
      await client.end();
      return;
    }
    this.client = client;
  }

  private handleLoss(client: pg.Client, error: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.removeAllListeners('end');
    this.scheduleReconnect(error);
  }

  private scheduleReconnect(error: Error): void {
    if (this.closed) return;
    this.onError(error);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.ensureConnected().then(
        () => this.wakeAll(),
        (reconnectError: unknown) =>
          this.scheduleReconnect(reconnectError instanceof Error ? reconnectError : new Error(String(reconnectError))),
      );
    }, RECONNECT_DELAY_MS);
    this.reconnectTimer.unref();
  }

  private wakeAll(): void {
    for (const listener of this.listeners) listener();
  }

  private async disconnect(): Promise<void> {
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    await this.connecting?.catch(() => undefined);
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
