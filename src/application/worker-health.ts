/** A worker's state as the health endpoints see it. */
export interface WorkerHealthSnapshot {
  status: 'new' | 'running' | 'stopping' | 'stopped';
  /** Handlers running now. */
  inFlight: number;
  /** Jobs whose lease this worker holds: running, queued locally or settling. */
  held: number;
  /** Since the claim loop last began a turn; undefined before the first. */
  loopIdleMs: number | undefined;
  /** Last claim query that succeeded, whether or not it found jobs. */
  lastPollAt: Date | undefined;
  /** Last claim that returned at least one job. */
  lastClaimAt: Date | undefined;
  /** The last claim or renewal got through. */
  databaseAvailable: boolean;
  databaseUnavailableSince: Date | undefined;
  /** The worker gave up on its database and is about to exit. */
  databaseLost: boolean;
}

export interface HealthVerdict {
  ok: boolean;
  body: Record<string, unknown>;
}

/** A loop turn can legitimately take a claim's round trip; below this no loop counts as stuck. */
const MIN_STALL_MS = 30_000;

/**
 * Live: the process should be left running: its claim loop still turns (an idle loop turns at
 * least once per poll interval) and it has not given up on its database. Ready: it is doing its
 * job: running, not draining, and its last claim or renewal reached the database.
 */
export function assessWorkerHealth(snapshot: WorkerHealthSnapshot, pollIntervalMs: number): { live: HealthVerdict; ready: HealthVerdict } {
  const stallMs = Math.max(3 * pollIntervalMs, MIN_STALL_MS);
  const claiming = snapshot.status === 'running' && !snapshot.databaseLost;
  const stalled = claiming && snapshot.loopIdleMs !== undefined && snapshot.loopIdleMs > stallMs;
  const loop = stalled
    ? `stalled: no turn for ${Math.round((snapshot.loopIdleMs ?? 0) / 1000)} s`
    : snapshot.status === 'running' && snapshot.databaseLost
      ? 'stopped: gave up on the database'
      : snapshot.status === 'running'
        ? 'ok'
        : snapshot.status;
  const database = snapshot.databaseLost
    ? 'lost'
    : snapshot.databaseAvailable
      ? snapshot.lastPollAt === undefined
        ? 'not polled yet'
        : 'ok'
      : `unreachable since ${snapshot.databaseUnavailableSince?.toISOString() ?? 'unknown'}`;
  const body = {
    checks: { claim_loop: loop, database },
    draining: snapshot.status === 'stopping',
    in_flight: snapshot.inFlight,
    held: snapshot.held,
    last_poll_at: snapshot.lastPollAt?.toISOString() ?? null,
    last_claim_at: snapshot.lastClaimAt?.toISOString() ?? null,
    database_unavailable_since: snapshot.databaseUnavailableSince?.toISOString() ?? null,
  };
  const live = !stalled && !snapshot.databaseLost && snapshot.status !== 'stopped';
  const ready = claiming && !stalled && database === 'ok';
  return {
    live: { ok: live, body: { status: live ? 'ok' : 'failing', ...body } },
    ready: { ok: ready, body: { status: ready ? 'ready' : 'not_ready', ...body } },
  };
}
