import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANCEL_REQUESTED_CHANNEL, JOBS_AVAILABLE_CHANNEL, NotificationListener } from '../../src/adapters/storage/postgres/notification-listener.js';
import { createPostgresDatabase, type TestDatabase } from '../support/test-databases.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { sleep, waitFor } from '../support/wait-for.js';

describe('the PostgreSQL notification listener through outages', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    proxy = await TcpProxy.inFrontOf(database.dsn, { down: true });
  });

  afterAll(async () => {
    await proxy.close();
    await database.drop();
  });

  const notify = async (channel: string, payload: string) => {
    const client = new pg.Client({ connectionString: database.dsn });
    await client.connect();
    try {
      await client.query('SELECT pg_notify($1, $2)', [channel, payload]);
    } finally {
      await client.end();
    }
  };

  it('keeps a subscription made while the database is down, retries with backoff, and delivers once it is back', async () => {
    const errors: Error[] = [];
    let restored = 0;
    const listener = new NotificationListener(
      { connectionString: proxy.rewrite(database.dsn) },
      { onError: (error) => errors.push(error), onRestored: () => restored++, initialRetryDelayMs: 20, maxRetryDelayMs: 80, reportEvery: 1_000 },
    );
    const wakeups: (string | undefined)[] = [];
    const cancels: (string | undefined)[] = [];
    try {
      // The first connect fails: the subscription is kept instead of rejecting.
      await listener.subscribe(JOBS_AVAILABLE_CHANNEL, (payload) => wakeups.push(payload));
      await listener.subscribe(CANCEL_REQUESTED_CHANNEL, (payload) => cancels.push(payload));
      expect(listener.isConnected).toBe(false);
      // Dozens of retries in this second; only the first failure is reported, not each one.
      await sleep(1_000);
      expect(errors).toHaveLength(1);
      expect(errors[0]!.message).toContain('job notification connection failed');

      await proxy.restore();
      await waitFor('the listener to connect', () => listener.isConnected, 10_000);
      expect(restored).toBe(1);
      // Anything sent during the outage was missed, so every subscriber is called once with no payload.
      expect(wakeups).toEqual([undefined]);
      expect(cancels).toEqual([undefined]);

      await notify(CANCEL_REQUESTED_CHANNEL, '42');
      await waitFor('the cancel request', () => cancels.includes('42'), 10_000);

      // A later loss is retried the same way, and reported once again.
      await proxy.cut();
      await waitFor('the loss to be noticed', () => !listener.isConnected, 10_000);
      await proxy.restore();
      await waitFor('the listener to reconnect', () => listener.isConnected, 10_000);
      expect(restored).toBe(2);
      expect(errors).toHaveLength(2);
      await notify(JOBS_AVAILABLE_CHANNEL, '');
      await waitFor('a wake-up after the second outage', () => wakeups.filter((w) => w === '').length === 1, 10_000);
    } finally {
      await listener.close();
    }
  });
});
