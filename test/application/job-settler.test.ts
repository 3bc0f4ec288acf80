import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Execution } from '../../src/application/job-execution.js';
import { JobSettler } from '../../src/application/job-settler.js';
import { DatabaseUnavailableError } from '../../src/core/database-unavailable.js';
import { NO_METRICS } from '../../src/core/ingest-metrics.js';
import type { CompleteJobInput, JobRepository, SettleResult, SuccessSettle } from '../../src/core/job-repository.js';
import type { Job, JobFailure } from '../../src/core/job.js';

const LEASE_MS = 30_000;

/** A settler on a fake clock that advances only by its own sleeps, over a release that fails `failures` times. */
function setUp(failures: number, error: () => Error) {
  let now = 0;
  let tries = 0;
  const failures_: JobFailure[] = [];
  const repository = {
    releaseJob: (): Promise<SettleResult> => {
      tries++;
      return tries <= failures ? Promise.reject(error()) : Promise.resolve({ applied: true, state: 'pending' });
    },
    failJob: (_lease: unknown, failure: JobFailure): Promise<SettleResult> => {
      tries++;
      failures_.push(failure);
      return tries <= failures ? Promise.reject(error()) : Promise.resolve({ applied: true, state: 'pending' });
    },
  } as unknown as JobRepository;
  const settler = new JobSettler({
    repository,
    retryPolicy: { baseDelayMs: 10, maxDelayMs: 100 },
    random: () => 0,
    leaseMs: LEASE_MS,
    monotonicNow: () => now,
    maxInterruptions: 10,
    sleep: (ms) => {
      now += ms;
      return Promise.resolve();
    },
  });
  const execution = {
    job: { spentAttempts: 1, maxAttempts: 3, interruptions: 0 } as Job,
    lease: { jobId: '1', attemptNumber: 1, workerId: 'w' },
    logger: pino({ level: 'silent' }),
    cause: undefined,
    renewedAt: 0,
  } as unknown as Execution;
  return { settler, execution, tries: () => tries, now: () => now, failures: failures_ };
}

const outage = () => new DatabaseUnavailableError('DATABASE_UNREACHABLE', false, 'the database is unreachable: connect ECONNREFUSED');
const network = { category: 'network', code: 'X', message: 'x', retryable: true } as const;

describe('JobSettler', () => {
  it('keeps retrying through an outage while the lease lasts', async () => {
    const { settler, execution, tries, now } = setUp(12, outage);
    await settler.fail(execution, network);
    expect(tries()).toBe(13);
    expect(now()).toBeLessThan(LEASE_MS);
  });

  it('gives up once a whole lease has passed since the last renewal', async () => {
    const { settler, execution, tries, now } = setUp(1_000, outage);
    await settler.fail(execution, network);
    expect(now()).toBeLessThan(LEASE_MS);
    expect(now()).toBeGreaterThan(LEASE_MS - 3_000);
    expect(tries()).toBeLessThan(40);
  });

  it('retries an error that is not an outage only briefly, then tries once to record a SETTLE_FAILED failure', async () => {
    const { settler, execution, tries, failures } = setUp(1_000, () => new Error('duplicate key value violates unique constraint'));
    await settler.fail(execution, network);
    expect(tries()).toBe(4);
    expect(failures.at(-1)?.code).toBe('SETTLE_FAILED');
  });

  it('records a settle that keeps failing as a charged, retryable internal SETTLE_FAILED failure naming the error', async () => {
    const invalidByte = () => new Error('invalid byte sequence for encoding "UTF8": 0x00');
    const { settler, execution, tries, failures } = setUp(3, invalidByte);
    await settler.fail(execution, network);
    expect(tries()).toBe(4);
    expect(failures.slice(0, 3).map((f) => f.code)).toEqual(['X', 'X', 'X']);
    expect(failures[3]).toMatchObject({ category: 'internal', code: 'SETTLE_FAILED', retryable: true });
    expect(failures[3]?.message).toContain('invalid byte sequence for encoding "UTF8": 0x00');
  });

  it('does not fall back from an outage: it is waited out, then left to the lease expiry, uncharged', async () => {
    const { settler, execution, failures } = setUp(1_000, outage);
    await settler.fail(execution, network);
    expect(failures.every((f) => f.code === 'X')).toBe(true);
  });

  it('replaces NUL bytes and lone surrogates in the failure message it stores', async () => {
    const { settler, execution, failures } = setUp(0, outage);
    await settler.fail(execution, { ...network, message: 'a\u0000b\uDC00c\uD83D\uDE00' });
    expect(failures[0]?.message).toBe('a\uFFFDb\uFFFDc\uD83D\uDE00');
  });

  it('retries a release at shutdown for a few seconds, not a whole lease', async () => {
    const { settler, execution, now } = setUp(1_000, outage);
    await settler.release(execution);
    expect(now()).toBeLessThanOrEqual(5_000);
  });

  it('settles a success carrying follow-ups on its own, not in a batch, and counts them by pipeline', async () => {
    const calls: string[] = [];
    const counted: [string, string, number][] = [];
    const repository = {
      completeJob: (_lease: unknown, input: CompleteJobInput): Promise<SettleResult> => {
        calls.push(`completeJob:${input.followUps?.length ?? 0}`);
        return Promise.resolve({ applied: true, state: 'succeeded', followUps: [{ pipeline: 'next.p', enqueued: 2, duplicate: 1 }] });
      },
      completeJobs: (settles: SuccessSettle[]): Promise<SettleResult[]> => {
        calls.push(`completeJobs:${settles.length}`);
        return Promise.resolve(settles.map(() => ({ applied: true, state: 'succeeded' }) as const));
      },
    } as unknown as JobRepository;
    const metrics = { ...NO_METRICS, followUps: (pipeline: string, outcome: string, count: number) => void counted.push([pipeline, outcome, count]) };
    const settler = new JobSettler({ repository, retryPolicy: { baseDelayMs: 10, maxDelayMs: 100 }, random: () => 0, leaseMs: LEASE_MS, monotonicNow: () => 0, maxInterruptions: 10, metrics });
    const execution = (id: string) =>
      ({ job: { pipeline: 'p', spentAttempts: 0, maxAttempts: 3, interruptions: 0 } as Job, lease: { jobId: id, attemptNumber: 1, workerId: 'w' }, logger: pino({ level: 'silent' }), renewedAt: 0 }) as unknown as Execution;
    const followUps = [{ pipeline: 'next.p', scope: { n: 1 }, key: 'a' }];
    const results = await Promise.all([
      settler.succeed(execution('1'), { followUps }),
      settler.succeed(execution('2'), { followUps: [] }),
      settler.succeed(execution('3'), {}),
    ]);
    expect(results.map((r) => r?.applied)).toEqual([true, true, true]);
    expect(calls.sort()).toEqual(['completeJob:1', 'completeJobs:2']);
    expect(counted).toEqual([
      ['next.p', 'enqueued', 2],
      ['next.p', 'duplicate', 1],
    ]);
  });
});
