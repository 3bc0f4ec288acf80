import type { JobState } from '../../core/job.js';
import type { CronEngine } from '../../core/schedule/cron-engine.js';
import { planDueOccurrences } from '../../core/schedule/due-plan.js';
import { fireTime } from '../../core/schedule/jitter.js';
import { firstOccurrenceAtOrAfter } from '../../core/schedule/occurrences.js';
import { decideOverlap, type PreviousRunState } from '../../core/schedule/overlap.js';
import type { DueSchedule, FireDecision } from '../../core/schedule-repository.js';
import { jitterSeed, timingOf } from './schedule-timing.js';

function previousOf(state: JobState | null): PreviousRunState {
  if (state === null) return 'none';
  return state === 'pending' || state === 'running' ? state : 'finished';
}

/**
 * What a firing pass does with one due schedule at the database's `now`: the occurrences its missed
 * policy fires, the late ones it skips (one range), and, occurrence by occurrence, what its overlap
 * policy makes of the job before it. A pause whose end has come ends here, and the schedule resumes
 * from the pause's end: the paused span is neither fired nor counted as missed. Throws
 * ScheduleTimingError when the stored timing can no longer be read.
 */
export function decideFiring(engine: CronEngine, { schedule, previousJobState }: DueSchedule, now: Date): FireDecision {
  const timing = timingOf(engine, schedule, schedule.createdAt);
  const seed = jitterSeed(schedule);
  let nextRunAt = schedule.nextRunAt;
  const endPause = schedule.pausedAt !== null;
  if (endPause && nextRunAt !== null) {
    const resumedFrom = firstOccurrenceAtOrAfter(timing, schedule.pausedUntil ?? now);
    if (resumedFrom === null || resumedFrom > nextRunAt) nextRunAt = resumedFrom;
  }
  const plan = planDueOccurrences({ timing, scheduleId: seed, nextRunAt, now });
  const decision: FireDecision = {
    fire: [],
    skipped: [],
    next: { nextRunAt: plan.nextRunAt, fireAt: plan.nextFireAt },
    bufferedAt: schedule.bufferedAt,
    endPause,
  };
  if (plan.skipped !== null) {
    decision.skipped.push({
      kind: 'skipped_missed',
      ...plan.skipped,
      reason: `MISSED: fired too late to count (missed_policy ${timing.missedPolicy})`,
    });
  }

  let previous = previousOf(previousJobState);
  // The occurrence held under buffer_one goes first, once the job before it has ended.
  if (decision.bufferedAt !== null && (previous === 'none' || previous === 'finished')) {
    decision.fire.push({ occurrence: decision.bufferedAt, dueAt: fireTime(seed, decision.bufferedAt, timing.jitterSeconds) });
    decision.bufferedAt = null;
    previous = 'pending';
  }
  for (const due of plan.fire) {
    const overlap = decideOverlap({ policy: schedule.overlapPolicy, previous, bufferHeld: decision.bufferedAt !== null });
    if (overlap.action === 'fire') {
      decision.fire.push({ occurrence: due.occurrence, dueAt: due.fireAt });
      previous = 'pending';
    } else if (overlap.action === 'buffer') {
      decision.bufferedAt = due.occurrence;
    } else {
      decision.skipped.push({ kind: 'skipped_overlap', first: due.occurrence, last: due.occurrence, count: 1, countExact: true, reason: overlap.reason });
    }
  }
  return decision;
}
