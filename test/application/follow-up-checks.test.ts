import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkFollowUps, type FollowUpTargets } from '../../src/application/follow-up-checks.js';
import { JobError } from '../../src/core/job-error.js';

const game = {
  scopeSchema: z.strictObject({ league: z.enum(['nba', 'nhl']), event_id: z.string().regex(/^\d+$/) }),
  paramsSchema: z.strictObject({ late: z.boolean().optional() }),
};
const targets: FollowUpTargets = (pipeline) => (pipeline === 'x.game' ? game : undefined);

function failure(declared: unknown): JobError {
  try {
    checkFollowUps(declared, targets);
  } catch (error) {
    if (error instanceof JobError) return error;
    throw error;
  }
  throw new Error('no failure');
}

describe('checkFollowUps', () => {
  it('resolves valid follow-ups to what their pipeline schemas make of them', () => {
    expect(
      checkFollowUps(
        [
          { pipeline: 'x.game', scope: { league: 'nba', event_id: '401' }, key: 'poll-1', delaySeconds: 30 },
          { pipeline: 'x.game', scope: { league: 'nhl', event_id: '9' }, params: { late: true }, key: 'final+2m', runAt: '2026-12-01T22:00:00+01:00', priority: 3 },
        ],
        targets,
      ),
    ).toEqual([
      { pipeline: 'x.game', scope: { league: 'nba', event_id: '401' }, params: {}, key: 'poll-1', delaySeconds: 30 },
      { pipeline: 'x.game', scope: { league: 'nhl', event_id: '9' }, params: { late: true }, key: 'final+2m', runAt: '2026-12-01T22:00:00+01:00', priority: 3 },
    ]);
  });

  it('fails, not retryably, naming the follow-up and every wrong field', () => {
    const valid = { pipeline: 'x.game', scope: { league: 'nba', event_id: '1' }, key: 'k' };
    const cases: [unknown, RegExp][] = [
      [[valid, { ...valid, scope: { league: 'mlb', event_id: 'x' } }], /^follow-up 1 \(x\.game, key k\): scope\.league: .*; scope\.event_id: /],
      [[{ ...valid, params: { late: 'yes' } }], /follow-up 0 \(x\.game, key k\): params\.late: /],
      [[{ ...valid, runAt: 'tomorrow' }], /follow-up 0 \(x\.game, key k\): runAt: /],
      [[{ ...valid, delaySeconds: -1 }], /delaySeconds: /],
      [[{ ...valid, priority: 1.5 }], /priority: /],
      [[{ ...valid, key: '' }], /key: /],
      [[{ ...valid, extra: 1 }], /unknown field: extra/],
      [[{ ...valid, key: 'k'.repeat(200) }], /key: with its pipeline, longer than 200/],
      [[{ ...valid, key: 'nul\u0000' }], /key: /],
      [[{ ...valid, pipeline: 'x.unknown' }], /follow-up 0 \(x\.unknown, key k\): pipeline: not a registered pipeline/],
      [[42], /follow-up 0 \(\?, key \?\)/],
      [{ not: 'an array' }, /not an array|other than an array/],
    ];
    for (const [declared, message] of cases) {
      const error = failure(declared);
      expect(error.code).toBe('INVALID_FOLLOW_UP');
      expect(error.retryable).toBe(false);
      expect(error.message).toMatch(message);
    }
  });

  it('refuses more than 1,000 follow-ups from one job', () => {
    const many = Array.from({ length: 1_001 }, (_, i) => ({ pipeline: 'x.game', scope: { league: 'nba', event_id: String(i) }, key: String(i) }));
    expect(failure(many)).toMatchObject({ code: 'TOO_MANY_FOLLOW_UPS', retryable: false, category: 'validation' });
    expect(checkFollowUps(many.slice(0, 1_000), targets)).toHaveLength(1_000);
  });
});
