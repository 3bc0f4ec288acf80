import { describe, expect, it } from 'vitest';
import { jobTransitions } from '../../src/core/job-transitions.js';
import type { JobAttempt, JobStateTransition } from '../../src/core/job.js';

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second));
const t = (attemptNumber: number, fromState: JobStateTransition['fromState'], toState: JobStateTransition['toState'], reason: string, second: number): JobStateTransition => ({
  jobId: '7',
  attemptNumber,
  fromState,
  toState,
  reason,
  at: at(second),
});
const attempt = (attemptNumber: number, outcome: JobAttempt['outcome'], started: number, finished: number | null): JobAttempt => ({
  jobId: '7',
  attemptNumber,
  workerId: 'w',
  startedAt: at(started),
  finishedAt: finished === null ? null : at(finished),
  outcome,
  failure: null,
  durationMs: finished === null ? null : (finished - started) * 1000,
});
const trail = (transitions: JobStateTransition[]) => transitions.map((x) => `${x.attemptNumber}:${x.fromState}->${x.toState}:${x.reason}@${x.at.getUTCSeconds()}`);

describe('jobTransitions', () => {
  it('reads each claim and each success off its attempt, in order with the recorded transitions', () => {
    const recorded = [
      t(0, null, 'pending', 'enqueued', 0),
      t(1, 'running', 'pending', 'lease_expired', 5),
      t(2, 'running', 'pending', 'failed', 7),
    ];
    const attempts = [attempt(1, 'lease_expired', 1, 5), attempt(2, 'failed', 5, 7), attempt(3, 'succeeded', 9, 10)];
    expect(trail(jobTransitions(recorded, attempts))).toEqual([
      '0:null->pending:enqueued@0',
      '1:pending->running:claimed@1',
      '1:running->pending:lease_expired@5',
      // Same instant as the rescue above: the attempt number puts the claim after it.
      '2:pending->running:claimed@5',
      '2:running->pending:failed@7',
      '3:pending->running:claimed@9',
      '3:running->succeeded:succeeded@10',
    ]);
  });

  it('puts operator actions after the attempt they follow and shows the attempt in progress as claimed', () => {
    const recorded = [
      t(0, null, 'pending', 'enqueued', 0),
      t(1, 'running', 'exhausted', 'exhausted', 2),
      t(1, 'exhausted', 'pending', 'retried_by_operator', 3),
    ];
    const attempts = [attempt(1, 'failed', 1, 2), attempt(2, null, 4, null)];
    expect(trail(jobTransitions(recorded, attempts))).toEqual([
      '0:null->pending:enqueued@0',
      '1:pending->running:claimed@1',
      '1:running->exhausted:exhausted@2',
      '1:exhausted->pending:retried_by_operator@3',
      '2:pending->running:claimed@4',
    ]);
  });

  it('does not derive a claim or a success that an earlier version recorded as a row', () => {
    const recorded = [t(0, null, 'pending', 'enqueued', 0), t(1, 'pending', 'running', 'claimed', 1), t(1, 'running', 'succeeded', 'succeeded', 2)];
    expect(trail(jobTransitions(recorded, [attempt(1, 'succeeded', 1, 2)]))).toEqual([
      '0:null->pending:enqueued@0',
      '1:pending->running:claimed@1',
      '1:running->succeeded:succeeded@2',
    ]);
  });

  it('derives nothing for a job never claimed', () => {
    const recorded = [t(0, null, 'pending', 'enqueued', 0), t(0, 'pending', 'cancelled', 'cancelled_by_operator', 1)];
    expect(jobTransitions(recorded, [])).toEqual(recorded);
  });
});
