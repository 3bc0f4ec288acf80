import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../src/application/retry-policy.js';

const policy = { baseDelayMs: 1_000, maxDelayMs: 30_000 };

describe('retryDelayMs', () => {
  it('doubles from the base delay and stops at the cap', () => {
    const noJitter = () => 0;
    expect([1, 2, 3, 4, 5, 6, 7, 50].map((n) => retryDelayMs(policy, n, noJitter))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000,
    ]);
  });

  it('takes off at most the jitter fraction, never exceeding the cap', () => {
    for (let n = 1; n <= 10; n++) {
      const full = Math.min(30_000, 1_000 * 2 ** (n - 1));
      const lowest = retryDelayMs(policy, n, () => 0.999999);
      expect(lowest).toBeGreaterThanOrEqual(Math.floor(full * 0.8));
      expect(lowest).toBeLessThan(full);
      expect(retryDelayMs(policy, n, () => 0)).toBe(full);
    }
    expect(retryDelayMs({ ...policy, jitter: 0.5 }, 1, () => 0.5)).toBe(750);
  });
});
