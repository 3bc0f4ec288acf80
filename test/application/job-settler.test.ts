import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Execution } from '../../src/application/job-execution.js';
import { JobSettler } from '../../src/application/job-settler.js';
import { DatabaseUnavailableError } from '../../src/core/database-unavailable.js';
import type { JobRepository, SettleResult } from '../../src/core/job-repository.js';
import type { Job } from '../../src/core/job.js';

const LEASE_MS = 30_000;

/** A settler on a fake clock that advances only by its own sleeps, over a release that fails `failures` times. */
function setUp(failures: number, error: () => Error) {
  let now = 0;
  let tries = 0;
  const repository = {
    releaseJob: (): Promise<SettleResult> => {
      tries++;
      return tries <= failures ? Promise.reject(error()) : Promise.resolve({ applied: true, state: 'pending' });
    },
    failJob: (): Promise<SettleResult> => {
      tries++;
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
  return { settler, execution, tries: () => tries, now: () => now };
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

  it('retries an error that is not an outage only briefly', async () => {
    const { settler, execution, tries } = setUp(1_000, () => new Error('duplicate key value violates unique constraint'));
    await settler.fail(execution, network);
    expect(tries()).toBe(3);
  });

  it('retries a release at shutdown for a few seconds, not a whole lease', async () => {
    const { settler, execution, now } = setUp(1_000, outage);
    await settler.release(execution);
    expect(now()).toBeLessThanOrEqual(5_000);
  });
});
