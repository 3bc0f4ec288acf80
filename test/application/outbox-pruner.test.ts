import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { OutboxPruner } from '../../src/application/outbox-pruner.js';
import { waitFor } from '../support/wait-for.js';

describe('outbox pruner', () => {
  it('prunes at start with the configured retention, survives a failed pass, and stops', async () => {
    const calls: number[] = [];
    let fail = true;
    const pruner = new OutboxPruner({
      outbox: {
        prune: (retentionMs) => {
          calls.push(retentionMs);
          if (fail) {
            fail = false;
            return Promise.reject(new Error('database away'));
          }
          return Promise.resolve({ deleted: 3 });
        },
      },
      retentionMs: 168 * 3_600_000,
      intervalMs: 10,
      logger: pino({ level: 'silent' }),
    });
    pruner.start();
    await waitFor('two passes', () => calls.length >= 2);
    await pruner.stop();
    const after = calls.length;
    expect(calls.every((ms) => ms === 168 * 3_600_000)).toBe(true);
    expect(await pruner.pruneOnce()).toBe(3);
    expect(calls.length).toBe(after + 1);
  });
});
