import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidCursorError, type EnqueueJobInput, type JobRepository } from '../../src/core/job-repository.js';
import type { JobFailure, JobLease, JsonValue } from '../../src/core/job.js';
import { leaseOf } from '../../src/core/job.js';
import { migrateDatabase, openJobRepository } from '../../src/platform/storage.js';
import { databaseConfig, type DatabaseConfig, type TestDatabase } from '../support/test-databases.js';
import { passDeadline } from '../support/database-clock.js';
import { waitFor } from '../support/wait-for.js';

const NETWORK: JobFailure = { category: 'network', code: 'ECONNRESET', message: 'connection reset', retryable: true };
const PARSE: JobFailure = { category: 'parse', code: 'MARKUP_DRIFT', message: 'no events table', retryable: false };
const DATABASE: JobFailure = { category: 'database', code: 'DATABASE_UNAVAILABLE', message: 'the database went away', retryable: true };

/**
 * The behaviour every JobRepository must have. Each adapter's test file runs this suite against a
 * real database; every `openRepository()` is a separate connection (pool), as separate workers are.
 */
export function describeJobRepositoryContract(driver: 'postgres' | 'sqlite', createDatabase: () => Promise<TestDatabase>): void {
  describe(`JobRepository contract (${driver})`, () => {
    let database: TestDatabase;
    let config: DatabaseConfig;
    const opened: JobRepository[] = [];
    let repo: JobRepository;
    let pipelineSeq = 0;

    const openRepository = () => {
      const repository = openJobRepository(config);
      opened.push(repository);
      return repository;
    };
    /** Each test works in its own pipeline name, so claims never see another test's jobs. */
    const freshPipeline = () => `contract.p${++pipelineSeq}.${Date.now()}`;
    const job = (pipeline: string, extra: Partial<EnqueueJobInput> = {}): EnqueueJobInput => ({
      pipeline,
      scope: { country: 'US', event_type: 'upcoming' },
      maxAttempts: 3,
      ...extra,
    });
    /** Claims until the jobs of `pipeline` appear (claims may return other tests' jobs: none here, tests run in sequence). */
    const claimOne = async (repository: JobRepository, workerId: string, leaseMs = 30_000) => {
      const [claimed] = await repository.claimJobs({ workerId, limit: 1, leaseMs });
      if (claimed === undefined) throw new Error('nothing was claimed');
      return claimed;
    };

    beforeAll(async () => {
      database = await createDatabase();
      config = databaseConfig(driver, database.dsn);
      await migrateDatabase(config);
      repo = openRepository();
    });

    afterAll(async () => {
      await Promise.all(opened.map((r) => r.close()));
      await database.drop();
    });

    it('enqueues a pending job with a canonical scope key and an "enqueued" transition', async () => {
      const pipeline = freshPipeline();
      const [result] = await repo.enqueueJobs([
        job(pipeline, { scope: { event_type: 'past', country: 'BR' }, params: { page: 2 }, priority: 5, correlationId: 'req-1' }),
      ]);
      expect(result?.created).toBe(true);
      const created = result!.job;
      expect(created).toMatchObject({
        pipeline,
        state: 'pending',
        scope: { country: 'BR', event_type: 'past' },
        scopeKey: '{"country":"BR","event_type":"past"}',
        params: { page: 2 },
        priority: 5,
        attemptCount: 0,
        spentAttempts: 0,
        maxAttempts: 3,
        correlationId: 'req-1',
        cancelRequested: false,
        failure: null,
      });
      const details = await repo.getJob(created.id);
      expect(details?.transitions.map((t) => [t.fromState, t.toState, t.reason])).toEqual([[null, 'pending', 'enqueued']]);
      expect(details?.attempts).toEqual([]);
      await repo.cancelJob(created.id);
    });

    it('returns the existing job for a repeated idempotency key, within a batch and across calls', async () => {
      const pipeline = freshPipeline();
      const key = `idem-${pipeline}`;
      const [first, again] = await repo.enqueueJobs([job(pipeline, { idempotencyKey: key }), job(pipeline, { idempotencyKey: key })]);
      const [later] = await openRepository().enqueueJobs([job(pipeline, { idempotencyKey: key, priority: 9 })]);
      expect(first?.created).toBe(true);
      expect(again).toEqual({ job: first?.job, created: false });
      expect(later?.created).toBe(false);
      expect(later?.job.id).toBe(first?.job.id);
      expect(later?.job.priority).toBe(0);
      const page = await repo.listJobs({ filter: { pipeline }, limit: 10 });
      expect(page.jobs).toHaveLength(1);
      await repo.cancelJob(first!.job.id);
    });

    it('creates one job when the same idempotency key is enqueued concurrently from separate connections', async () => {
      const pipeline = freshPipeline();
      const key = `race-${pipeline}`;
      const repositories = [openRepository(), openRepository(), openRepository(), openRepository()];
      const results = await Promise.all(repositories.map((r) => r.enqueueJobs([job(pipeline, { idempotencyKey: key })])));
      const ids = new Set(results.map((r) => r[0]?.job.id));
      expect(ids.size).toBe(1);
      expect(results.filter((r) => r[0]?.created)).toHaveLength(1);
      await repo.cancelJob([...ids][0]!);
    });

    it('enqueues a large batch in input order', async () => {
      const pipeline = freshPipeline();
      const inputs = Array.from({ length: 1200 }, (_, i) =>
        job(pipeline, { scope: { n: i }, ...(i % 100 === 0 ? { idempotencyKey: `${pipeline}-${i}` } : {}) }),
      );
      const results = await repo.enqueueJobs(inputs);
      expect(results.map((r) => r.job.scope.n)).toEqual(inputs.map((i) => i.scope.n));
      expect(results.every((r) => r.created)).toBe(true);
      const again = await repo.enqueueJobs(inputs.filter((i) => i.idempotencyKey !== undefined));
      expect(again.every((r) => !r.created)).toBe(true);
      for (const r of results) await repo.cancelJob(r.job.id);
    });

    it('rejects invalid enqueue input without storing anything', async () => {
      const pipeline = freshPipeline();
      await expect(repo.enqueueJobs([job(pipeline), job(pipeline, { maxAttempts: 0 })])).rejects.toThrow(/maxAttempts/);
      expect((await repo.listJobs({ filter: { pipeline }, limit: 5 })).jobs).toEqual([]);
    });

    it('refuses what either database could not store, the same way on both, storing nothing', async () => {
      const pipeline = freshPipeline();
      let deep: JsonValue = 'leaf';
      for (let i = 0; i < 40; i++) deep = [deep];
      const refused: [Partial<EnqueueJobInput>, RegExp][] = [
        [{ scope: { name: 'a\u0000b' } }, /scope\.name must not contain the NUL/],
        [{ params: { note: ['\ud800'] } }, /params\.note\.0 must not contain an unpaired/],
        [{ params: { 'k\u0000': 1 } }, /params a key must not contain the NUL/],
        [{ scope: { deep } }, /scope\.deep\..* nests deeper than 32/],
        [{ correlationId: 'c\u0000' }, /correlationId must not contain the NUL/],
        [{ idempotencyKey: '\udc00' }, /idempotencyKey must not contain an unpaired/],
        [{ runAt: new Date('0000-06-01T00:00:00Z') }, /runAt must be a date from year 0001/],
        [{ runAt: new Date('+010000-01-01T00:00:00Z') }, /runAt must be a date from year 0001/],
      ];
      for (const [override, message] of refused) {
        await expect(repo.enqueueJobs([job(pipeline), job(pipeline, override)])).rejects.toThrow(message);
      }
      expect((await repo.listJobs({ filter: { pipeline }, limit: 5 })).jobs).toEqual([]);
    });

    it('claims due jobs by priority then age, never future ones, and records the attempt', async () => {
      const pipeline = freshPipeline();
      const [low, high, future, lowLater] = await repo.enqueueJobs([
        job(pipeline, { priority: 0 }),
        job(pipeline, { priority: 10 }),
        job(pipeline, { priority: 100, runAt: new Date(Date.now() + 3_600_000) }),
        job(pipeline, { priority: 0 }),
      ]);
      const claimed = await repo.claimJobs({ workerId: 'w-claim', limit: 2, leaseMs: 30_000 });
      expect(claimed.map((j) => j.id)).toEqual([high!.job.id, low!.job.id]);
      const first = claimed[0]!;
      expect(first).toMatchObject({ state: 'running', attemptCount: 1, spentAttempts: 1, claimedBy: 'w-claim' });
      expect(first.leaseUntil!.getTime() - first.claimedAt!.getTime()).toBe(30_000);

      const rest = await repo.claimJobs({ workerId: 'w-claim', limit: 10, leaseMs: 30_000 });
      expect(rest.map((j) => j.id)).toEqual([lowLater!.job.id]);
      const details = await repo.getJob(first.id);
      expect(details?.attempts).toMatchObject([{ attemptNumber: 1, workerId: 'w-claim', finishedAt: null, outcome: null }]);
      expect(details?.transitions.map((t) => [t.fromState, t.toState, t.reason, t.attemptNumber])).toEqual([
        [null, 'pending', 'enqueued', 0],
        ['pending', 'running', 'claimed', 1],
      ]);
      for (const j of [...claimed, ...rest]) await repo.completeJob(leaseOf(j), {});
      await repo.cancelJob(future!.job.id);
    });

    it('never hands one job to two concurrent claimers', async () => {
      const pipeline = freshPipeline();
      await repo.enqueueJobs(Array.from({ length: 300 }, (_, i) => job(pipeline, { scope: { n: i } })));
      const claimers = Array.from({ length: 6 }, () => openRepository());
      const claimedIds: string[] = [];
      await Promise.all(
        claimers.map(async (r, i) => {
          for (;;) {
            const batch = await r.claimJobs({ workerId: `racer-${i}`, limit: 7, leaseMs: 30_000 });
            if (batch.length === 0) return;
            claimedIds.push(...batch.map((j) => j.id));
            for (const j of batch) await r.completeJob(leaseOf(j), {});
          }
        }),
      );
      expect(claimedIds).toHaveLength(300);
      expect(new Set(claimedIds).size).toBe(300);
    });

    it('renews held leases and reports cancel requests and lost leases', async () => {
      const pipeline = freshPipeline();
      await repo.enqueueJobs([job(pipeline), job(pipeline)]);
      const [a, b] = await repo.claimJobs({ workerId: 'w-renew', limit: 2, leaseMs: 30_000 });
      await repo.cancelJob(b!.id);
      const stranger: JobLease = { jobId: a!.id, attemptNumber: 1, workerId: 'someone-else' };
      const renewals = await repo.renewLeases('w-renew', [leaseOf(a!), leaseOf(b!), { ...leaseOf(a!), attemptNumber: 7 }], 60_000);
      expect(renewals.map((r) => r.status)).toEqual(['renewed', 'cancel_requested', 'lost']);
      expect(renewals[0]!.leaseUntil!.getTime()).toBeGreaterThan(a!.leaseUntil!.getTime());
      expect((await repo.renewLeases('someone-else', [stranger], 60_000))[0]?.status).toBe('lost');
      await repo.completeJob(leaseOf(a!), {});
      expect((await repo.renewLeases('w-renew', [leaseOf(a!)], 60_000))[0]?.status).toBe('lost');
      await repo.cancelRunningJob(leaseOf(b!));
    });

    it('fences every settle on job, attempt number and worker', async () => {
      const pipeline = freshPipeline();
      await repo.enqueueJobs([job(pipeline)]);
      const claimed = await claimOne(repo, 'w-fence');
      const lease = leaseOf(claimed);
      const wrong = [
        { ...lease, workerId: 'w-other' },
        { ...lease, attemptNumber: 2 },
      ];
      for (const bad of wrong) {
        expect(await repo.completeJob(bad, {})).toEqual({ applied: false, reason: 'lease_lost' });
        expect(await repo.failJob(bad, PARSE, { state: 'failed' })).toEqual({ applied: false, reason: 'lease_lost' });
        expect(await repo.releaseJob(bad, 'test')).toEqual({ applied: false, reason: 'lease_lost' });
      }
      const untouched = await repo.getJob(claimed.id);
      expect(untouched?.job.state).toBe('running');
      expect(untouched?.attempts[0]?.finishedAt).toBeNull();

      expect(await repo.completeJob(lease, { counters: { records: 3 }, parserVersion: 'p1' })).toEqual({ applied: true, state: 'succeeded' });
      expect(await repo.completeJob(lease, {})).toEqual({ applied: false, reason: 'lease_lost' });
      const done = await repo.getJob(claimed.id);
      expect(done?.job).toMatchObject({ state: 'succeeded', counters: { records: 3 }, parserVersion: 'p1', claimedBy: null, leaseUntil: null });
      expect(done?.job.finishedAt).not.toBeNull();
      expect(done?.attempts[0]).toMatchObject({ outcome: 'succeeded', failure: null });
      expect(done?.attempts[0]?.durationMs).toBeGreaterThanOrEqual(0);
      expect(done?.transitions.at(-1)).toMatchObject({ fromState: 'running', toState: 'succeeded', attemptNumber: 1 });
    });

    it('settles a batch of successes in one call, each fenced on its own lease, results in order', async () => {
      const pipeline = freshPipeline();
      await repo.enqueueJobs([job(pipeline), job(pipeline), job(pipeline)]);
      const claimed = await repo.claimJobs({ workerId: 'w-batch', limit: 3, leaseMs: 30_000 });
      expect(claimed).toHaveLength(3);
      const [a, b, c] = claimed.map(leaseOf);
      const results = await repo.completeJobs([
        { lease: a!, input: { counters: { n: 1 } } },
        { lease: { ...b!, workerId: 'w-other' }, input: {} },
        { lease: c!, input: { parserVersion: 'p2' } },
        { lease: { ...a!, attemptNumber: 9 }, input: {} },
      ]);
      expect(results).toEqual([
        { applied: true, state: 'succeeded' },
        { applied: false, reason: 'lease_lost' },
        { applied: true, state: 'succeeded' },
        { applied: false, reason: 'lease_lost' },
      ]);
      const first = await repo.getJob(a!.jobId);
      expect(first?.job).toMatchObject({ state: 'succeeded', counters: { n: 1 } });
      expect(first?.attempts[0]?.outcome).toBe('succeeded');
      expect(first?.transitions.at(-1)).toMatchObject({ fromState: 'running', toState: 'succeeded', attemptNumber: 1 });
      expect((await repo.getJob(c!.jobId))?.job).toMatchObject({ state: 'succeeded', parserVersion: 'p2' });
      const untouched = await repo.getJob(b!.jobId);
      expect(untouched?.job.state).toBe('running');
      expect(untouched?.attempts[0]?.finishedAt).toBeNull();
      expect(await repo.completeJobs([])).toEqual([]);
      await repo.completeJob(b!, {});
    });

    it('reclaims an expired lease, closes the dead attempt and rejects the old worker\'s late settle', async () => {
      const pipeline = freshPipeline();
      await repo.enqueueJobs([job(pipeline)]);
      const stalled = await claimOne(repo, 'w-stalled');
      expect(await repo.claimJobs({ workerId: 'w-rescuer', limit: 5, leaseMs: 30_000 })).toEqual([]);
      await passDeadline(driver, database.dsn, 'lease_until', [stalled.id]);
      const rescuer = openRepository();
      const reclaimed = await claimOne(rescuer, 'w-rescuer');
      // The dead attempt is an interruption, not a charged attempt: the rescue's claim spends one.
      expect(reclaimed).toMatchObject({ id: stalled.id, attemptCount: 2, spentAttempts: 1, interruptions: 1, claimedBy: 'w-rescuer' });

      expect(await repo.completeJob(leaseOf(stalled), {})).toEqual({ applied: false, reason: 'lease_lost' });
      expect(await repo.failJob(leaseOf(stalled), NETWORK, { state: 'pending', retryDelayMs: 10 })).toEqual({
        applied: false,
        reason: 'lease_lost',
      });
      let details = await repo.getJob(stalled.id);
      expect(details?.job).toMatchObject({ state: 'running', claimedBy: 'w-rescuer', attemptCount: 2 });
      expect(details?.attempts.map((a) => [a.attemptNumber, a.workerId, a.outcome, a.failure?.category ?? null])).toEqual([
        [1, 'w-stalled', 'lease_expired', 'lease_lost'],
        [2, 'w-rescuer', null, null],
      ]);

      expect(await rescuer.completeJob(leaseOf(reclaimed), {})).toEqual({ applied: true, state: 'succeeded' });
      details = await repo.getJob(stalled.id);
      expect(details?.transitions.map((t) => `${t.attemptNumber}:${t.fromState}->${t.toState}:${t.reason}`)).toEqual([
        '0:null->pending:enqueued',
        '1:pending->running:claimed',
        '1:running->pending:lease_expired',
        '2:pending->running:claimed',
        '2:running->succeeded:succeeded',
      ]);
    });

    it('does not charge expired leases to the attempt budget, and ends the job exhausted at the interruption ceiling', async () => {
      const pipeline = freshPipeline();
      const [enqueued] = await repo.enqueueJobs([job(pipeline, { maxAttempts: 1 })]);
      const jobId = enqueued!.job.id;
      // A worker that dies with the job every time: it claims with a short lease and never settles.
      const claimDying = () => repo.claimJobs({ workerId: 'w-dies', limit: 1, leaseMs: 100, maxInterruptions: 3 });
      const first = await claimDying();
      expect(first).toMatchObject([{ id: jobId, attemptCount: 1, spentAttempts: 1, interruptions: 0 }]);
      for (const interruptions of [1, 2]) {
        // Each claim rescues the job once its lease has expired by the database's clock.
        const [rescued] = await waitFor(`rescue ${interruptions}`, async () => {
          const claimed = await claimDying();
          return claimed.length > 0 ? claimed : undefined;
        });
        // More expiries than max_attempts, yet the job is still running on its one charged attempt.
        expect(rescued).toMatchObject({ id: jobId, state: 'running', attemptCount: interruptions + 1, spentAttempts: 1, interruptions });
      }
      const exhausted = await waitFor('the third expiry to end the job', async () => {
        expect(await claimDying()).toEqual([]);
        const details = await repo.getJob(jobId);
        return details?.job.state === 'exhausted' ? details : undefined;
      });
      expect(exhausted.job).toMatchObject({
        state: 'exhausted',
        interruptions: 3,
        spentAttempts: 0,
        claimedBy: null,
        failure: { category: 'lease_lost', code: 'TOO_MANY_INTERRUPTIONS' },
      });
      expect(exhausted.job.finishedAt).not.toBeNull();
      // GET jobs/{id} still shows each interruption as an attempt of its own.
      expect(exhausted.attempts.map((a) => [a.attemptNumber, a.outcome, a.failure?.code])).toEqual([
        [1, 'lease_expired', 'LEASE_EXPIRED'],
        [2, 'lease_expired', 'LEASE_EXPIRED'],
        [3, 'lease_expired', 'LEASE_EXPIRED'],
      ]);
      expect(exhausted.transitions.at(-1)).toMatchObject({ attemptNumber: 3, fromState: 'running', toState: 'exhausted', reason: 'lease_expired' });

      // An operator's retry starts the interruption count afresh, as it does the budget.
      expect(await repo.retryJob(jobId)).toMatchObject({ ok: true, job: { state: 'pending', spentAttempts: 0, interruptions: 0 } });
      await repo.cancelJob(jobId);
    });

    it('ends an expired job cancelled when a cancel was pending', async () => {
      const pipeline = freshPipeline();
      const [cancelled] = await repo.enqueueJobs([job(pipeline)]);
      expect(await repo.claimJobs({ workerId: 'w-dies', limit: 1, leaseMs: 100 })).toHaveLength(1);
      await repo.cancelJob(cancelled!.job.id);
      const details = await waitFor('the expired job to end cancelled', async () => {
        expect(await repo.claimJobs({ workerId: 'w-next', limit: 5, leaseMs: 30_000 })).toEqual([]);
        const found = await repo.getJob(cancelled!.job.id);
        return found?.job.state === 'cancelled' ? found : undefined;
      });
      expect(details.job.failure).toMatchObject({ category: 'lease_lost', code: 'LEASE_EXPIRED' });
      expect(details.attempts.map((a) => a.outcome)).toEqual(['lease_expired']);
    });

    it('gives back an attempt that failed for a database fault, counting an interruption instead', async () => {
      const pipeline = freshPipeline();
      const [enqueued] = await repo.enqueueJobs([job(pipeline, { maxAttempts: 1 })]);
      const claimed = await claimOne(repo, 'w-db');
      expect(await repo.failJob(leaseOf(claimed), DATABASE, { state: 'pending', retryDelayMs: 0, interrupted: true })).toEqual({
        applied: true,
        state: 'pending',
      });
      const pending = await repo.getJob(enqueued!.job.id);
      expect(pending?.job).toMatchObject({ state: 'pending', spentAttempts: 0, interruptions: 1, failure: DATABASE });
      expect(pending?.attempts[0]).toMatchObject({ attemptNumber: 1, outcome: 'failed', failure: DATABASE });

      const again = await claimOne(repo, 'w-db');
      expect(again).toMatchObject({ id: enqueued!.job.id, attemptCount: 2, spentAttempts: 1, interruptions: 1 });
      expect(await repo.failJob(leaseOf(again), DATABASE, { state: 'exhausted', interrupted: true, interruptions: 2 })).toEqual({
        applied: true,
        state: 'exhausted',
      });
      const ended = await repo.getJob(enqueued!.job.id);
      expect(ended?.job).toMatchObject({ state: 'exhausted', interruptions: 2, failure: { code: 'TOO_MANY_INTERRUPTIONS' } });
      expect(ended?.attempts[1]).toMatchObject({ outcome: 'failed', failure: DATABASE });
    });

    it('schedules a retry at exactly now + delay on the database clock, and ends failed or exhausted', async () => {
      const pipeline = freshPipeline();
      const [retried, failed] = await repo.enqueueJobs([job(pipeline, { maxAttempts: 2, priority: 1 }), job(pipeline)]);
      const [first, other] = await repo.claimJobs({ workerId: 'w-fail', limit: 2, leaseMs: 30_000 });
      expect(first?.id).toBe(retried!.job.id);

      expect(await repo.failJob(leaseOf(first!), NETWORK, { state: 'pending', retryDelayMs: 30_000 })).toEqual({ applied: true, state: 'pending' });
      const pending = await repo.getJob(first!.id);
      const attemptEnd = pending!.attempts[0]!.finishedAt!;
      expect(pending!.job.nextRetryAt.getTime() - attemptEnd.getTime()).toBe(30_000);
      expect(pending!.job).toMatchObject({ state: 'pending', failure: NETWORK, claimedBy: null, spentAttempts: 1 });
      expect(pending!.attempts[0]).toMatchObject({ outcome: 'failed', failure: NETWORK });
      expect(await repo.claimJobs({ workerId: 'w-fail', limit: 1, leaseMs: 30_000 })).toEqual([]);
      await passDeadline(driver, database.dsn, 'next_retry_at', [first!.id]);
      const second = await claimOne(repo, 'w-fail');
      expect(second).toMatchObject({ id: first!.id, attemptCount: 2 });
      await repo.failJob(leaseOf(second), NETWORK, { state: 'exhausted' });
      expect((await repo.getJob(first!.id))?.job).toMatchObject({ state: 'exhausted', failure: NETWORK });

      await repo.failJob(leaseOf(other!), PARSE, { state: 'failed' });
      const failedDetails = await repo.getJob(failed!.job.id);
      expect(failedDetails?.job).toMatchObject({ state: 'failed', failure: PARSE, attemptCount: 1 });
      expect(failedDetails?.job.finishedAt).not.toBeNull();
      expect(failedDetails?.transitions.at(-1)).toMatchObject({ fromState: 'running', toState: 'failed', reason: 'failed' });
    });

    it('cancels pending jobs at once, requests cancellation of running ones, and refuses finished ones', async () => {
      const pipeline = freshPipeline();
      const [pending, running] = await repo.enqueueJobs([job(pipeline, { runAt: new Date(Date.now() + 60_000) }), job(pipeline)]);
      const cancelledNow = await repo.cancelJob(pending!.job.id);
      expect(cancelledNow).toMatchObject({ ok: true, effect: 'cancelled', job: { state: 'cancelled', failure: { category: 'cancelled' } } });

      const claimed = await claimOne(repo, 'w-cancel');
      expect(claimed.id).toBe(running!.job.id);
      expect(await repo.cancelJob(claimed.id)).toMatchObject({ ok: true, effect: 'cancel_requested', job: { state: 'running', cancelRequested: true } });
      expect(await repo.cancelRunningJob(leaseOf(claimed))).toEqual({ applied: true, state: 'cancelled' });
      const details = await repo.getJob(claimed.id);
      expect(details?.attempts[0]).toMatchObject({ outcome: 'cancelled', failure: { category: 'cancelled' } });

      expect(await repo.cancelJob(claimed.id)).toEqual({ ok: false, reason: 'invalid_state', state: 'cancelled' });
      expect(await repo.cancelJob('999999999')).toEqual({ ok: false, reason: 'not_found' });
      expect(await repo.cancelJob('abc')).toEqual({ ok: false, reason: 'not_found' });
    });

    it('retries failed, exhausted and cancelled jobs with a fresh budget and continuing attempt numbers', async () => {
      const pipeline = freshPipeline();
      const [enqueued] = await repo.enqueueJobs([job(pipeline, { maxAttempts: 1 })]);
      const claimed = await claimOne(repo, 'w-retry');
      await repo.failJob(leaseOf(claimed), NETWORK, { state: 'exhausted' });
      expect(await repo.retryJob('424242424242')).toEqual({ ok: false, reason: 'not_found' });

      const retried = await repo.retryJob(enqueued!.job.id);
      expect(retried).toMatchObject({ ok: true, job: { state: 'pending', spentAttempts: 0, attemptCount: 1, finishedAt: null } });
      expect(await repo.retryJob(enqueued!.job.id)).toEqual({ ok: false, reason: 'invalid_state', state: 'pending' });
      const again = await claimOne(repo, 'w-retry');
      expect(again).toMatchObject({ id: enqueued!.job.id, attemptCount: 2, spentAttempts: 1 });
      await repo.completeJob(leaseOf(again), {});
      expect(await repo.retryJob(enqueued!.job.id)).toEqual({ ok: false, reason: 'invalid_state', state: 'succeeded' });
      const details = await repo.getJob(enqueued!.job.id);
      expect(details?.transitions.map((t) => t.reason)).toEqual(['enqueued', 'claimed', 'exhausted', 'retried_by_operator', 'claimed', 'succeeded']);
    });

    it('releases a lease without charging the attempt', async () => {
      const pipeline = freshPipeline();
      await repo.enqueueJobs([job(pipeline, { maxAttempts: 1 })]);
      const claimed = await claimOne(repo, 'w-release');
      expect(await repo.releaseJob(leaseOf(claimed), 'released_on_shutdown')).toEqual({ applied: true, state: 'pending' });
      const released = await repo.getJob(claimed.id);
      expect(released?.job).toMatchObject({ state: 'pending', spentAttempts: 0, attemptCount: 1, claimedBy: null });
      expect(released?.attempts[0]?.outcome).toBe('released');
      // However often it is released, a job is never charged or interrupted for it.
      let again = await claimOne(repo, 'w-release');
      for (let release = 2; release <= 5; release++) {
        expect(again).toMatchObject({ attemptCount: release, spentAttempts: 1, interruptions: 0 });
        expect(await repo.releaseJob(leaseOf(again), 'released_on_shutdown')).toEqual({ applied: true, state: 'pending' });
        again = await claimOne(repo, 'w-release');
      }
      expect(again).toMatchObject({ state: 'running', attemptCount: 6, spentAttempts: 1, interruptions: 0 });
      await repo.completeJob(leaseOf(again), {});
    });

    it('lists jobs newest first with filters and a stable cursor, treating filter values as data', async () => {
      const pipeline = freshPipeline();
      const results = await repo.enqueueJobs(Array.from({ length: 7 }, (_, i) => job(pipeline, { scope: { n: i } })));
      const ids = results.map((r) => r.job.id).reverse();
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await repo.listJobs({ filter: { pipeline, states: ['pending'] }, limit: 3, ...(cursor === undefined ? {} : { cursor }) });
        seen.push(...page.jobs.map((j) => j.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      expect(seen).toEqual(ids);

      const scopeKey = results[2]!.job.scopeKey;
      expect((await repo.listJobs({ filter: { pipeline, scopeKey }, limit: 10 })).jobs.map((j) => j.id)).toEqual([results[2]!.job.id]);
      expect((await repo.listJobs({ filter: { pipeline, states: ['running'] }, limit: 10 })).jobs).toEqual([]);
      const createdAt = results[0]!.job.createdAt;
      expect((await repo.listJobs({ filter: { pipeline, createdFrom: new Date(createdAt.getTime() + 3_600_000) }, limit: 10 })).jobs).toEqual([]);
      expect((await repo.listJobs({ filter: { pipeline, createdTo: new Date(createdAt.getTime() + 3_600_000) }, limit: 10 })).jobs).toHaveLength(7);
      expect((await repo.listJobs({ filter: { pipeline: `${pipeline}' OR '1'='1` }, limit: 10 })).jobs).toEqual([]);
      expect((await repo.listJobs({ filter: { scopeKey: "x'); DROP TABLE ingestion_jobs; --" }, limit: 10 })).jobs).toEqual([]);
      await expect(repo.listJobs({ filter: {}, limit: 10, cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(InvalidCursorError);
      expect(await repo.getJob('1; DROP TABLE ingestion_jobs')).toBeNull();
      expect(await repo.getJob('99999999999999999999999')).toBeNull();
      for (const r of results) await repo.cancelJob(r.job.id);
    });

    it('tells listeners when jobs become available', async () => {
      const listening = openRepository();
      let wakeups = 0;
      const unsubscribe = await listening.onJobsAvailable(() => {
        wakeups++;
      });
      // PostgreSQL notifies listeners on every connection; SQLite wakes listeners in its own process.
      const enqueuer = driver === 'postgres' ? openRepository() : listening;
      const [enqueued] = await enqueuer.enqueueJobs([job(freshPipeline())]);
      await waitFor('a wake-up', () => wakeups > 0, 5_000);
      await unsubscribe();
      await repo.cancelJob(enqueued!.job.id);
    });

    it('tells listeners when a running job is asked to cancel, and not when a pending one is cancelled', async () => {
      const listening = openRepository();
      const signals: (string | undefined)[] = [];
      const unsubscribe = await listening.onCancelRequested((jobId) => signals.push(jobId));
      try {
        const pipeline = freshPipeline();
        const [running] = await repo.enqueueJobs([job(pipeline, { scope: { n: 1 } })]);
        const claimed = await claimOne(repo, 'w-cancel-signal');
        expect(claimed.id).toBe(running!.job.id);
        const [pending] = await repo.enqueueJobs([job(pipeline, { scope: { n: 2 } })]);

        // Pending: cancelled on the spot, no worker to tell.
        expect(await repo.cancelJob(pending!.job.id)).toMatchObject({ ok: true, effect: 'cancelled' });
        // Running: through another repository (another connection), as the API does.
        expect(await openRepository().cancelJob(running!.job.id)).toMatchObject({ ok: true, effect: 'cancel_requested' });
        await waitFor('the cancel signal', () => signals.includes(running!.job.id), 5_000);
        expect(signals).not.toContain(pending!.job.id);
        await listening.cancelRunningJob({ jobId: running!.job.id, attemptNumber: claimed.attemptCount, workerId: 'w-cancel-signal' });
      } finally {
        await unsubscribe();
      }
    });
  });
}
