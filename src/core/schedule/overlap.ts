/** What to do with an occurrence while the job of the one before it has not finished. */
export type OverlapPolicy = 'allow' | 'skip' | 'buffer_one';
export const OVERLAP_POLICIES: readonly OverlapPolicy[] = ['allow', 'skip', 'buffer_one'];

/** The state of the job the schedule created for its previous fired occurrence. */
export type PreviousRunState = 'none' | 'pending' | 'running' | 'finished';

export type OverlapSkipReason = 'PREVIOUS_RUN_PENDING' | 'PREVIOUS_RUN_RUNNING' | 'BUFFER_FULL';

export type OverlapDecision =
  | { action: 'fire' }
  /** Hold this occurrence and fire it when the previous job finishes. */
  | { action: 'buffer' }
  | { action: 'skip'; reason: OverlapSkipReason };

export interface OverlapInput {
  policy: OverlapPolicy;
  previous: PreviousRunState;
  /** Whether an occurrence is already held under `buffer_one`. */
  bufferHeld: boolean;
}

/**
 * Whether an occurrence fires now. `allow` always fires. `skip` fires only when no earlier job of
 * the schedule is pending or running. `buffer_one` holds one occurrence while the previous job is
 * unfinished and skips any further one until the held one has fired.
 */
export function decideOverlap({ policy, previous, bufferHeld }: OverlapInput): OverlapDecision {
  const busy = previous === 'pending' || previous === 'running';
  if (policy === 'allow' || !busy) return { action: 'fire' };
  const reason: OverlapSkipReason = previous === 'pending' ? 'PREVIOUS_RUN_PENDING' : 'PREVIOUS_RUN_RUNNING';
  if (policy === 'skip') return { action: 'skip', reason };
  return bufferHeld ? { action: 'skip', reason: 'BUFFER_FULL' } : { action: 'buffer' };
}
