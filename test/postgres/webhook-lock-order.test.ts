import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/adapters/storage/shared/storage.js';
import { formatSecret } from '../../src/core/webhooks/webhook-secret.js';
import { migrateDatabase, openStorage } from '../../src/platform/storage.js';
import { createPostgresDatabase, databaseConfig, type TestDatabase } from '../support/test-databases.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Recording a try and a resend or redelivery both lock the endpoint row before the delivery's, so
 * the two cannot deadlock on PostgreSQL.
 */
describe('webhook lock order on PostgreSQL', () => {
  let database: TestDatabase;
  let storage: Storage;
  let client: pg.Client;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    const config = databaseConfig('postgres', database.dsn);
    await migrateDatabase(config);
    storage = openStorage(config);
    client = new pg.Client({ connectionString: database.dsn });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await storage.jobs.close();
    await database.drop();
  });

  it('recording a try waits for the endpoint row before it touches the delivery', async () => {
    const endpoint = await storage.webhooks.createEndpoint(
      { url: 'https://receiver.example/hook', description: '', pipelines: ['locks'], enabled: true, ordered: false },
      formatSecret(Buffer.alloc(32, 7)),
    );
    const event = { id: 'evt_locks', type: 'publication.created', pipeline: 'locks', scopeKey: 'a', payload: '{}' };
    await storage.webhooks.dispatch({ reader: 'locks', readAfter: null, nextCursor: 'c1', events: [event], maxTries: 3 });
    const [delivery] = (await storage.webhooks.listDeliveries(endpoint.id, { limit: 1 })).deliveries;
    if (delivery === undefined) throw new Error('no delivery was dispatched');

    // Holds the endpoint row as a resend does before it locks the delivery.
    await client.query('BEGIN');
    await client.query('SELECT id FROM webhook_endpoints WHERE id = $1 FOR UPDATE', [endpoint.id]);
    const recording = storage.webhooks.recordTry({
      deliveryId: delivery.id,
      jobId: delivery.jobId ?? '0',
      jobAttempt: 1,
      latencyMs: 1,
      succeeded: false,
      statusCode: 503,
      responseExcerpt: null,
      error: 'the endpoint answered 503',
      final: false,
      disableAfterMs: 3_600_000,
      maxTries: 3,
    });
    await waitFor('the try to wait on a lock', async () => {
      const waiting = await client.query(
        "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'",
      );
      return waiting.rowCount !== null && waiting.rowCount > 0;
    });
    // The delivery is still free: the resend side can take it, then finish, and the try goes on.
    const locked = await client.query('SELECT id FROM webhook_deliveries WHERE id = $1 FOR UPDATE NOWAIT', [delivery.id]);
    expect(locked.rowCount).toBe(1);
    await client.query('COMMIT');
    await expect(recording).resolves.toEqual({ endpointDisabled: false });
  });
});
