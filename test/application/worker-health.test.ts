import { describe, expect, it } from 'vitest';
import { assessWorkerHealth, type WorkerHealthSnapshot } from '../../src/application/worker-health.js';

const healthy: WorkerHealthSnapshot = {
  status: 'running',
  inFlight: 1,
  held: 1,
  loopIdleMs: 100,
  lastPollAt: new Date('2026-01-01T00:00:00Z'),
  lastClaimAt: undefined,
  databaseAvailable: true,
  databaseUnavailableSince: undefined,
  databaseLost: false,
};

/** The verdicts behind /health/live and /health/ready; the endpoints themselves are tested on a real process. */
describe('assessWorkerHealth', () => {
  it('is live and ready while the loop turns and the database answers', () => {
    const { live, ready } = assessWorkerHealth(healthy, 2_000);
    expect(live.ok).toBe(true);
    expect(ready.ok).toBe(true);
    expect(ready.body).toMatchObject({ last_poll_at: '2026-01-01T00:00:00.000Z', last_claim_at: null, in_flight: 1 });
  });

  it('is not live when the claim loop has not turned for three poll intervals (30 s at least)', () => {
    expect(assessWorkerHealth({ ...healthy, loopIdleMs: 29_000 }, 2_000).live.ok).toBe(true);
    const stuck = assessWorkerHealth({ ...healthy, loopIdleMs: 31_000 }, 2_000);
    expect(stuck.live.ok).toBe(false);
    expect(stuck.ready.ok).toBe(false);
    expect(stuck.live.body).toMatchObject({ checks: { claim_loop: 'stalled: no turn for 31 s' } });
    expect(assessWorkerHealth({ ...healthy, loopIdleMs: 50_000 }, 20_000).live.ok).toBe(true);
  });

  it('stays live but is not ready while draining', () => {
    const { live, ready } = assessWorkerHealth({ ...healthy, status: 'stopping', loopIdleMs: 120_000 }, 2_000);
    expect(live.ok).toBe(true);
    expect(ready.ok).toBe(false);
    expect(ready.body).toMatchObject({ draining: true });
  });

  it('is neither once the worker has given up on its database', () => {
    const { live, ready } = assessWorkerHealth({ ...healthy, databaseLost: true, databaseAvailable: false }, 2_000);
    expect(live.ok).toBe(false);
    expect(ready.ok).toBe(false);
  });
});
