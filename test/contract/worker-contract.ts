import pino from 'pino';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { JobError } from '../../src/core/job-error.js';
import type { JobRepository } from '../../src/core/job-repository.js';
import type { JobDetails } from '../../src/core/job.js';
import type { JobHandler } from '../../src/application/job-handler.js';
import { systemNoopHandler } from '../../src/application/pipelines/system-noop.js';
import type { TestDatabase } from '../support/test-databases.js';
import { useWorkerTestBed } from '../support/worker-test-bed.js';
import { testHandler } from '../support/test-handler.js';
import { sleep, waitFor } from '../support/wait-for.js';

/** The worker runtime against a real database of each kind. */
export function describeWorkerContract(driver: 'postgres' | 'sqlite', createDatabase: () => Promise<TestDatabase>): void {
  describe(`Worker runtime (${driver})`, () => {
    const bed = useWorkerTestBed(driver, createDatabase, { name: 'worker' });
    const { openRepository, pipelineName, startWorker } = bed;
    const finalState = (id: string) => bed.finished(id);

    it('drains 2,000 jobs with 4 workers on separate connections: each succeeds once, never under two live leases', async () => {
      const pipeline = pipelineName();
      const runs = new Map<string, number>();
      const live = new Set<string>();
      const overlaps: string[] = [];
      const handler = testHandler(pipeline, async ({ job }) => {
        if (live.has(job.id)) overlaps.push(job.id);
        live.add(job.id);
        runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
        await sleep(Math.random() < 0.1 ? 2 : 0);
        live.delete(job.id);
        return undefined;
      });
      const total = 2_000;
      const enqueued = await bed.repo.enqueueJobs(Array.from({ length: total }, (_, i) => ({ pipeline, scope: { n: i }, maxAttempts: 3 })));
      const pool = await Promise.all(Array.from({ length: 4 }, () => startWorker([handler], { concurrency: 8 })));
      await waitFor('all jobs to succeed', async () => {
        const page = await bed.repo.listJobs({ filter: { pipeline, states: ['pending', 'running'] }, limit: 1 });
        return page.jobs.length === 0;
      }, 120_000);
      await Promise.all(pool.map((w) => w.stop(5_000)));

      expect(overlaps).toEqual([]);
      expect(runs.size).toBe(total);
      expect([...runs.values()].every((n) => n === 1)).toBe(true);
      const sample = await Promise.all(enqueued.filter((_, i) => i % 50 === 0).map((r) => bed.repo.getJob(r.job.id)));
      for (const details of sample as JobDetails[]) {
        expect(details.job.state).toBe('succeeded');
        expect(details.attempts).toHaveLength(1);
        expect(details.attempts[0]?.outcome).toBe('succeeded');
        expect(details.transitions.map((t) => t.toState)).toEqual(['pending', 'running', 'succeeded']);
      }
      const succeeded = await countJobs(bed.repo, pipeline, 'succeeded');
      expect(succeeded).toBe(total);
    });

    it('reclaims the job of a worker that stopped heartbeating and rejects its late result', async () => {
      const pipeline = pipelineName();
      let release: () => void = () => undefined;
      const stalledMayFinish = new Promise<void>((resolve) => (release = resolve));
      const ranBy: string[] = [];
      const handlerFor = (name: string, wait: boolean): JobHandler =>
        testHandler(pipeline, async () => {
          ranBy.push(name);
          if (wait) await stalledMayFinish;
          return { counters: { by: name } };
        });
      const [enqueued] = await bed.repo.enqueueJobs([{ pipeline, scope: {}, maxAttempts: 3 }]);
      // A worker whose heartbeats never come (a paused or partitioned process); with its one slot
      // taken it claims nothing more either.
      const stalled = await startWorker([handlerFor('stalled', true)], {
        leaseMs: 400,
        heartbeatIntervalMs: 3_600_000,
        workerId: 'stalled',
        concurrency: 1,
      });
      await waitFor('the stalled worker to claim', () => ranBy.includes('stalled'));
      await startWorker([handlerFor('rescuer', false)], { leaseMs: 5_000, workerId: 'rescuer', pollIntervalMs: 100 });
      const details = await finalState(enqueued!.job.id);
      expect(details.job).toMatchObject({ state: 'succeeded', counters: { by: 'rescuer' }, attemptCount: 2 });

      release();
      // Stopping drains: it returns once the stalled run has finished and tried its late settle.
      await stalled.stop(20_000);
      const after = await bed.repo.getJob(enqueued!.job.id);
      expect(after?.job.counters).toEqual({ by: 'rescuer' });
      expect(after?.attempts.map((a) => [a.workerId, a.outcome])).toEqual([
        ['stalled', 'lease_expired'],
        ['rescuer', 'succeeded'],
      ]);
    });

    it('retries retryable failures on the backoff schedule and ends exhausted', async () => {
      const pipeline = pipelineName();
      const handler = testHandler(pipeline, () => Promise.reject(new JobError('network', 'ECONNREFUSED', 'provider refused the connection')));
      const [enqueued] = await bed.repo.enqueueJobs([{ pipeline, scope: {}, maxAttempts: 4 }]);
      // No jitter: delays are exactly 150, 300, then capped at 400 ms.
      await startWorker([handler], { retryPolicy: { baseDelayMs: 150, maxDelayMs: 400 }, random: () => 0, pollIntervalMs: 20 });
      const details = await finalState(enqueued!.job.id);
      expect(details.job).toMatchObject({ state: 'exhausted', attemptCount: 4, failure: { category: 'network', code: 'ECONNREFUSED', retryable: true } });
      expect(details.attempts.map((a) => a.outcome)).toEqual(['failed', 'failed', 'failed', 'failed']);
      const gaps = details.attempts.slice(1).map((a, i) => a.startedAt.getTime() - details.attempts[i]!.finishedAt!.getTime());
      [150, 300, 400].forEach((delay, i) => {
        expect(gaps[i]).toBeGreaterThanOrEqual(delay);
        // Pickup latency on a loaded machine; the exact schedule is asserted on the database clock
        // in the repository contract.
        expect(gaps[i]).toBeLessThan(delay + 5_000);
      });
      expect(details.transitions.map((t) => t.reason)).toEqual([
        'enqueued', 'claimed', 'retry_scheduled', 'claimed', 'retry_scheduled', 'claimed', 'retry_scheduled', 'claimed', 'exhausted',
      ]);
    });

    it('fails a non-retryable error after one attempt, and an unknown pipeline as a validation error', async () => {
      const pipeline = pipelineName();
      const handler = testHandler(pipeline, () => Promise.reject(new JobError('parse', 'MARKUP_DRIFT', 'the events table is gone')));
      const [parse, unknown] = await bed.repo.enqueueJobs([
        { pipeline, scope: {}, maxAttempts: 5 },
        { pipeline: `${pipeline}.nobody-handles-this`, scope: {}, maxAttempts: 5 },
      ]);
      await startWorker([handler]);
      const failed = await finalState(parse!.job.id);
      expect(failed.job).toMatchObject({ state: 'failed', attemptCount: 1, failure: { category: 'parse', code: 'MARKUP_DRIFT', retryable: false } });
      const noHandler = await finalState(unknown!.job.id);
      expect(noHandler.job).toMatchObject({ state: 'failed', attemptCount: 1, failure: { category: 'validation', code: 'UNKNOWN_PIPELINE', retryable: false } });
      expect(noHandler.job.failure?.message).toContain(pipeline);
    });

    it('records an unexpected exception as a retryable internal failure', async () => {
      const pipeline = pipelineName();
      const handler = testHandler(pipeline, () => Promise.reject(new TypeError('cannot read properties of undefined')));
      const [enqueued] = await bed.repo.enqueueJobs([{ pipeline, scope: {}, maxAttempts: 2 }]);
      await startWorker([handler], { pollIntervalMs: 20 });
      const details = await finalState(enqueued!.job.id);
      expect(details.job).toMatchObject({ state: 'exhausted', attemptCount: 2, failure: { category: 'internal', code: 'UNHANDLED_ERROR' } });
      expect(details.job.failure?.message).toContain('TypeError: cannot read properties of undefined');
    });

    it('stores a failure whose message quotes a NUL byte or a lone surrogate: one run, ended failed, the characters replaced', async () => {
      const pipeline = pipelineName();
      let runs = 0;
      // What V8 says of an HTML page handed to JSON.parse: it quotes the page, NUL bytes included.
      const quoted = 'Unexpected token \'<\', "<html>\u0000\uD800" is not valid JSON';
      const handler = testHandler(pipeline, () => {
        runs++;
        return Promise.reject(new JobError('parse', 'PARSE_FAILED', `parse failed: ${quoted}`));
      });
      const [parse] = await bed.repo.enqueueJobs([{ pipeline, scope: {}, maxAttempts: 3 }]);
      await startWorker([handler]);
      const details = await finalState(parse!.job.id);
      expect(details.job).toMatchObject({ state: 'failed', attemptCount: 1, interruptions: 0, failure: { category: 'parse', code: 'PARSE_FAILED' } });
      expect(details.job.failure?.message).toBe('parse failed: Unexpected token \'<\', "<html>\uFFFD\uFFFD" is not valid JSON');
      expect(details.attempts[0]?.failure?.message).toBe(details.job.failure?.message);
      expect(runs).toBe(1);
    });

    it('fails the attempt, as a validation error, when the counters a handler returns cannot be stored', async () => {
      const pipeline = pipelineName();
      let runs = 0;
      const handler = testHandler(pipeline, () => {
        runs++;
        return Promise.resolve({ counters: { note: 'a\u0000b' } });
      });
      const [enqueued] = await bed.repo.enqueueJobs([{ pipeline, scope: {}, maxAttempts: 3 }]);
      await startWorker([handler]);
      const details = await finalState(enqueued!.job.id);
      expect(details.job).toMatchObject({
        state: 'failed',
        attemptCount: 1,
        interruptions: 0,
        failure: { category: 'validation', code: 'UNSTORABLE_CONTENT', retryable: false },
      });
      expect(details.job.failure?.message).toContain('at counters.note');
      expect(runs).toBe(1);
    });

    it('aborts the handler when the job is cancelled while running', async () => {
      const pipeline = pipelineName();
      let abortReason: unknown;
      const started: string[] = [];
      const handler = testHandler(
        pipeline,
        ({ job, signal }) =>
          new Promise((_, reject) => {
            started.push(job.id);
            signal.addEventListener('abort', () => {
              abortReason = signal.reason;
              reject(signal.reason as Error);
            });
          }),
      );
      const [enqueued] = await bed.repo.enqueueJobs([{ pipeline, scope: {}, maxAttempts: 3 }]);
      await startWorker([handler], { heartbeatIntervalMs: 100 });
      await waitFor('the handler to start', () => started.length > 0);
      expect(await bed.repo.cancelJob(enqueued!.job.id)).toMatchObject({ ok: true, effect: 'cancel_requested' });
      const details = await finalState(enqueued!.job.id);
      expect(abortReason).toBeInstanceOf(JobError);
      expect((abortReason as JobError).category).toBe('cancelled');
      expect(details.job).toMatchObject({ state: 'cancelled', attemptCount: 1, failure: { category: 'cancelled' } });
      expect(details.attempts[0]?.outcome).toBe('cancelled');
    });

    it('shuts down gracefully: finishes what fits before the deadline and releases the rest uncharged', async () => {
      const pipeline = pipelineName();
      const handler = testHandler(pipeline, async ({ job, signal }) => {
        const ms = Number(job.params.ms);
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, ms);
          signal.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(signal.reason as Error);
          });
        });
        return undefined;
      });
      const [quick, slow] = await bed.repo.enqueueJobs([
        { pipeline, scope: { n: 1 }, params: { ms: 100 }, maxAttempts: 1 },
        { pipeline, scope: { n: 2 }, params: { ms: 60_000 }, maxAttempts: 1 },
      ]);
      const worker = await startWorker([handler]);
      await waitFor('both jobs to run', () => worker.inFlight === 2);
      // 30 times the quick job's length, so it fits on any machine; the slow one never does.
      const stopping = worker.stop(3_000);
      expect(worker.isDraining).toBe(true);
      await stopping;
      expect((await bed.repo.getJob(quick!.job.id))?.job.state).toBe('succeeded');
      const released = await bed.repo.getJob(slow!.job.id);
      expect(released?.job).toMatchObject({ state: 'pending', spentAttempts: 0, attemptCount: 1, claimedBy: null });
      expect(released?.attempts[0]?.outcome).toBe('released');
      expect(released?.transitions.at(-1)).toMatchObject({ fromState: 'running', toState: 'pending', reason: 'released_on_shutdown' });
      await bed.repo.cancelJob(slow!.job.id);
    });

    describe('with a local queue (claimBatchSize above concurrency)', () => {
      const sleepUnlessAborted = (ms: number, signal: AbortSignal) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, ms);
          signal.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(signal.reason as Error);
          });
        });

      it('runs at most `concurrency` handlers, renews queued leases past their length, and no other worker takes them', async () => {
        const pipeline = pipelineName();
        let running = 0;
        let mostAtOnce = 0;
        const handler = testHandler(pipeline, async ({ signal }) => {
          mostAtOnce = Math.max(mostAtOnce, ++running);
          await sleepUnlessAborted(1_000, signal).finally(() => running--);
          return undefined;
        });
        const enqueued = await bed.repo.enqueueJobs(Array.from({ length: 6 }, (_, n) => ({ pipeline, scope: { n }, maxAttempts: 3 })));
        // Ten heartbeats per lease: a renewal may come up to 1.35 s late before a lease lapses.
        const first = await startWorker([handler], { concurrency: 2, claimBatchSize: 6, leaseMs: 1_500, heartbeatIntervalMs: 150 });
        await waitFor('the first worker to hold every job', async () => {
          const page = await bed.repo.listJobs({ filter: { pipeline, states: ['running'] }, limit: 10 });
          return page.jobs.length === 6 ? true : undefined;
        });
        // Three waves of 1 s outlast the 1.5 s lease: only renewals keep the queued jobs ours.
        await startWorker([handler], { concurrency: 4, leaseMs: 1_500, heartbeatIntervalMs: 150, pollIntervalMs: 50 });
        const finished = await Promise.all(enqueued.map(({ job }) => finalState(job.id)));
        expect(finished.map((d) => d.job.state)).toEqual(Array(6).fill('succeeded'));
        expect(finished.map((d) => d.attempts.map((a) => [a.workerId, a.outcome]))).toEqual(Array(6).fill([[first.workerId, 'succeeded']]));
        expect(mostAtOnce).toBe(2);
      });

      it('hands queued jobs back uncharged at shutdown', async () => {
        const pipeline = pipelineName();
        const handler = testHandler(pipeline, async ({ signal }) => {
          await sleepUnlessAborted(60_000, signal);
          return undefined;
        });
        const enqueued = await bed.repo.enqueueJobs(Array.from({ length: 3 }, (_, n) => ({ pipeline, scope: { n }, maxAttempts: 1 })));
        const worker = await startWorker([handler], { concurrency: 1, claimBatchSize: 5 });
        await waitFor('one job to run', () => worker.inFlight === 1);
        await worker.stop(200);
        for (const { job } of enqueued) {
          const details = await bed.repo.getJob(job.id);
          expect(details?.job).toMatchObject({ state: 'pending', spentAttempts: 0, claimedBy: null });
          expect(details?.attempts.map((a) => a.outcome)).toEqual(['released']);
          await bed.repo.cancelJob(job.id);
        }
      });

      it('cancels a queued job without ever running it', async () => {
        const pipeline = pipelineName();
        const ran: string[] = [];
        let release: () => void = () => undefined;
        const slowMayFinish = new Promise<void>((resolve) => (release = resolve));
        const handler = testHandler(pipeline, async ({ job }) => {
          ran.push(job.id);
          // The slow job holds the only slot until the queued one has been cancelled.
          if (job.params.slow === true) await slowMayFinish;
          return undefined;
        });
        const [slow, queued] = await bed.repo.enqueueJobs([
          { pipeline, scope: { n: 1 }, params: { slow: true }, maxAttempts: 1 },
          { pipeline, scope: { n: 2 }, params: { slow: false }, maxAttempts: 1 },
        ]);
        await startWorker([handler], { concurrency: 1, claimBatchSize: 2, heartbeatIntervalMs: 100 });
        await waitFor('the slow job to run', () => (ran.length === 1 ? true : undefined));
        expect(await bed.repo.cancelJob(queued!.job.id)).toMatchObject({ ok: true, effect: 'cancel_requested' });
        const cancelled = await finalState(queued!.job.id);
        expect(cancelled.job.state).toBe('cancelled');
        expect(cancelled.attempts.map((a) => a.outcome)).toEqual(['cancelled']);
        release();
        expect((await finalState(slow!.job.id)).job.state).toBe('succeeded');
        expect(ran).toEqual([slow!.job.id]);
      });
    });

    it('wakes an idle worker on enqueue well before its poll interval', async () => {
      const pipeline = pipelineName();
      const repository = openRepository();
      await startWorker([{ ...systemNoopHandler, pipeline }], { repository, pollIntervalMs: 60_000 });
      await sleep(100);
      const [enqueued] = await repository.enqueueJobs([{ pipeline, scope: {}, maxAttempts: 1 }]);
      const details = await finalState(enqueued!.job.id);
      expect(details.job.state).toBe('succeeded');
    });

    const captureLogs = () => {
      const lines: Record<string, unknown>[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
          done();
        },
      });
      return { lines, logger: pino({ level: 'debug' }, sink) };
    };
    /** pino's numeric levels: 30 is info. */
    const infoOrAbove = (lines: Record<string, unknown>[]) => lines.filter((l) => (l.level as number) >= 30).map((l) => l.msg);

    it('puts job_id, attempt, pipeline, worker_id and correlation_id on every log line of a job, and one info line for its outcome', async () => {
      const pipeline = pipelineName();
      const { lines, logger } = captureLogs();
      const handler = testHandler(pipeline, ({ logger: jobLogger }) => {
        jobLogger.debug({ step: 'fetch' }, 'fetching');
        return Promise.resolve(undefined);
      });
      const [enqueued] = await bed.repo.enqueueJobs([{ pipeline, scope: {}, maxAttempts: 1, correlationId: 'trace-ok-1' }]);
      await startWorker([handler], { logger, workerId: 'logging-worker' });
      await finalState(enqueued!.job.id);
      await waitFor('the success line', () => lines.some((l) => l.msg === 'job succeeded'));
      const jobLines = lines.filter((l) => l.job_id === enqueued!.job.id);
      expect(jobLines.map((l) => l.msg)).toEqual(['job started', 'fetching', 'job succeeded']);
      for (const line of jobLines) expect(line).toMatchObject({ attempt: 1, pipeline, worker_id: 'logging-worker', correlation_id: 'trace-ok-1' });
      expect(infoOrAbove(jobLines)).toEqual(['job succeeded']);
    });

    it('logs exactly one line at info or above for a failed job and for a cancelled one, each with its correlation_id', async () => {
      const pipeline = pipelineName();
      const { lines, logger } = captureLogs();
      const started: string[] = [];
      const handler = testHandler(pipeline, ({ job, signal }) => {
        if (job.params.fail === true) return Promise.reject(new JobError('parse', 'BAD_MARKUP', 'the page did not parse'));
        return new Promise((_, reject) => {
          started.push(job.id);
          signal.addEventListener('abort', () => reject(signal.reason as Error));
        });
      });
      const [failing] = await bed.repo.enqueueJobs([{ pipeline, scope: { n: 1 }, params: { fail: true }, maxAttempts: 1, correlationId: 'trace-fail-1' }]);
      const [cancelled] = await bed.repo.enqueueJobs([{ pipeline, scope: { n: 2 }, maxAttempts: 3, correlationId: 'trace-cancel-1' }]);
      await startWorker([handler], { logger, heartbeatIntervalMs: 100 });
      await waitFor('the second handler to start', () => started.length > 0);
      await bed.repo.cancelJob(cancelled!.job.id);
      await finalState(failing!.job.id);
      await finalState(cancelled!.job.id);
      await waitFor('both outcome lines', () => lines.filter((l) => l.msg === 'job failed' || l.msg === 'job cancelled while running').length === 2);
      const failLines = lines.filter((l) => l.job_id === failing!.job.id);
      const cancelLines = lines.filter((l) => l.job_id === cancelled!.job.id);
      expect(infoOrAbove(failLines)).toEqual(['job failed']);
      expect(infoOrAbove(cancelLines)).toEqual(['job cancelled while running']);
      for (const line of failLines) expect(line).toMatchObject({ pipeline, correlation_id: 'trace-fail-1' });
      for (const line of cancelLines) expect(line).toMatchObject({ pipeline, correlation_id: 'trace-cancel-1' });
    });
  });
}

async function countJobs(repo: JobRepository, pipeline: string, state: 'succeeded'): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await repo.listJobs({ filter: { pipeline, states: [state] }, limit: 500, ...(cursor === undefined ? {} : { cursor }) });
    count += page.jobs.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return count;
}
