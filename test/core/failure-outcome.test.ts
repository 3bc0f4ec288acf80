import { describe, expect, it } from 'vitest';
import { decideFailureOutcome } from '../../src/core/failure-outcome.js';
import { DatabaseUnavailableError } from '../../src/core/database-unavailable.js';
import { failureFromError, JobError } from '../../src/core/job-error.js';
import type { JobFailure } from '../../src/core/job.js';

const retryable: JobFailure = { category: 'network', code: 'ECONNRESET', message: 'reset', retryable: true };
const permanent: JobFailure = { category: 'http_status', code: 'HTTP_404', message: 'gone', retryable: false };

describe('decideFailureOutcome', () => {
  it.each([
    [retryable, 1, 3, { state: 'pending', retryDelayMs: 500 }],
    [retryable, 2, 3, { state: 'pending', retryDelayMs: 500 }],
    [retryable, 3, 3, { state: 'exhausted' }],
    [permanent, 1, 3, { state: 'failed' }],
    [permanent, 3, 3, { state: 'failed' }],
  ])('%o after %i of %i attempts -> %o', (failure, spentAttempts, maxAttempts, expected) => {
    expect(decideFailureOutcome({ failure, spentAttempts, maxAttempts, retryDelayMs: 500 })).toEqual(expected);
  });
});

describe('failures from thrown errors', () => {
  it('keeps what a JobError says and defaults retryability by category', () => {
    expect(failureFromError(new JobError('blocked', 'CLOUDFLARE_CHALLENGE', 'challenge page'))).toEqual({
      category: 'blocked',
      code: 'CLOUDFLARE_CHALLENGE',
      message: 'challenge page',
      retryable: true,
    });
    expect(new JobError('parse', 'X', 'y').retryable).toBe(false);
    expect(new JobError('parse', 'X', 'y', { retryable: true }).retryable).toBe(true);
  });

  it('records anything else as a retryable internal failure with a bounded message', () => {
    const failure = failureFromError(new RangeError('x'.repeat(5000)));
    expect(failure).toMatchObject({ category: 'internal', code: 'UNHANDLED_ERROR', retryable: true });
    expect(failure.message.startsWith('RangeError: xxx')).toBe(true);
    expect(failure.message.length).toBeLessThanOrEqual(2000);
    expect(failureFromError('a string').message).toBe('non-error thrown: a string');
  });
});

describe('database failures under a job', () => {
  const database: JobFailure = { category: 'database', code: 'DATABASE_UNAVAILABLE', message: 'down', retryable: true };

  it('are recorded as a retryable `database` failure, not `internal`', () => {
    const failure = failureFromError(new DatabaseUnavailableError('DATABASE_UNREACHABLE', false, 'the database is unreachable: connect ECONNREFUSED'));
    expect(failure).toMatchObject({ category: 'database', code: 'DATABASE_UNAVAILABLE', retryable: true });
    expect(failure.message).toContain('ECONNREFUSED');
    expect(failureFromError(new DatabaseUnavailableError('DATABASE_AUTH_FAILED', true, 'bad password'))).toMatchObject({
      category: 'database',
      code: 'DATABASE_REJECTED',
    });
  });

  it('are not charged, even with every attempt spent, until they reach the interruption ceiling', () => {
    expect(decideFailureOutcome({ failure: database, spentAttempts: 3, maxAttempts: 3, interruptions: 0, maxInterruptions: 3, retryDelayMs: 5 })).toEqual({
      state: 'pending',
      retryDelayMs: 5,
      interrupted: true,
    });
    expect(decideFailureOutcome({ failure: database, spentAttempts: 1, maxAttempts: 3, interruptions: 2, maxInterruptions: 3, retryDelayMs: 5 })).toEqual({
      state: 'exhausted',
      interrupted: true,
      interruptions: 3,
    });
    expect(decideFailureOutcome({ failure: database, spentAttempts: 1, maxAttempts: 3, interruptions: 8, retryDelayMs: 5 })).toMatchObject({ state: 'pending' });
    expect(decideFailureOutcome({ failure: database, spentAttempts: 1, maxAttempts: 3, interruptions: 9, retryDelayMs: 5 })).toMatchObject({ state: 'exhausted' });
  });
});
