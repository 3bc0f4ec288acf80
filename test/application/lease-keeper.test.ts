import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { LeaseKeeper, type KeptLease } from '../../src/application/lease-keeper.js';
import type { LeaseRenewal, LeaseStatus } from '../../src/core/job-repository.js';
import type { JobLease } from '../../src/core/job.js';
import { waitFor } from '../support/wait-for.js';

describe('LeaseKeeper.renewSoon', () => {
  it('renews again after a renewal in flight, which may have read the cancel flag before it was set', async () => {
    const lease: JobLease = { jobId: '7', attemptNumber: 1, workerId: 'w' };
    const entry: KeptLease & { cause: string | undefined } = { lease, cause: undefined, renewedAt: 0 };
    const held = new Map([[lease.jobId, entry]]);
    // The database's answer to each renewal, in order; the first is held back until the test says so.
    let status: LeaseStatus = 'renewed';
    let releaseFirst: (() => void) | undefined;
    let calls = 0;
    const cancelled: string[] = [];
    const keeper = new LeaseKeeper({
      repository: {
        renewLeases: async (_workerId: string, leases: JobLease[]): Promise<LeaseRenewal[]> => {
          calls++;
          const answer = status;
          if (calls === 1) await new Promise<void>((resolve) => (releaseFirst = resolve));
          return leases.map((l) => ({ lease: l, status: answer, leaseUntil: null }));
        },
      },
      workerId: 'w',
      leaseMs: 30_000,
      // Far away: only renewSoon renews in this test.
      heartbeatIntervalMs: 600_000,
      logger: pino({ level: 'silent' }),
      monotonicNow: () => 0,
      held: () => held,
      onLost: () => undefined,
      onCancelRequested: (kept) => {
        cancelled.push(kept.lease.jobId);
        entry.cause = 'cancelled';
      },
    });

    keeper.renewSoon();
    await waitFor('the first renewal to be sent', () => releaseFirst !== undefined);
    // The cancel commits after the first renewal read the row; its signal arrives now.
    status = 'cancel_requested';
    keeper.renewSoon();
    keeper.renewSoon();
    releaseFirst!();

    await waitFor('the cancel to be seen', () => cancelled.length > 0, 5_000);
    await keeper.stop();
    expect(cancelled).toEqual(['7']);
    // The two signals that came during the first renewal were served by one more, not two.
    expect(calls).toBe(2);
  });
});
