import { describe, expect, it } from 'vitest';
import { decideOverlap, type OverlapDecision, type OverlapPolicy, type PreviousRunState } from '../../../src/core/schedule/overlap.js';

describe('decideOverlap: the whole table', () => {
  it.each<[OverlapPolicy, PreviousRunState, boolean, OverlapDecision]>([
    ['allow', 'none', false, { action: 'fire' }],
    ['allow', 'pending', false, { action: 'fire' }],
    ['allow', 'running', true, { action: 'fire' }],
    ['allow', 'finished', false, { action: 'fire' }],
    ['skip', 'none', false, { action: 'fire' }],
    ['skip', 'pending', false, { action: 'skip', reason: 'PREVIOUS_RUN_PENDING' }],
    ['skip', 'running', false, { action: 'skip', reason: 'PREVIOUS_RUN_RUNNING' }],
    ['skip', 'finished', false, { action: 'fire' }],
    ['buffer_one', 'none', false, { action: 'fire' }],
    ['buffer_one', 'pending', false, { action: 'buffer' }],
    ['buffer_one', 'running', false, { action: 'buffer' }],
    ['buffer_one', 'running', true, { action: 'skip', reason: 'BUFFER_FULL' }],
    ['buffer_one', 'pending', true, { action: 'skip', reason: 'BUFFER_FULL' }],
    ['buffer_one', 'finished', false, { action: 'fire' }],
  ])('%s with the previous run %s (buffer held: %s)', (policy, previous, bufferHeld, decision) => {
    expect(decideOverlap({ policy, previous, bufferHeld })).toEqual(decision);
  });
});
