import { JobError } from '../../core/job-error.js';
import type { JobHandler } from '../job-handler.js';

export const SYSTEM_NOOP = 'system.noop';

/**
 * Does nothing, successfully: for smoke tests and benchmarks of the queue itself.
 * `params.sleep_ms` makes it wait (abortably) first; `params.fail` makes it fail with that category
 * code, e.g. `{"fail": "network"}`.
 */
export const systemNoopHandler: JobHandler = {
  pipeline: SYSTEM_NOOP,
  async run({ job, signal }) {
    const sleepMs = job.params.sleep_ms;
    if (typeof sleepMs === 'number' && sleepMs > 0) await abortableSleep(Math.min(sleepMs, 600_000), signal);
    const fail = job.params.fail;
    if (fail === 'network' || fail === 'validation' || fail === 'internal') {
      throw new JobError(fail, 'NOOP_REQUESTED_FAILURE', `system.noop was asked to fail with ${fail}`);
    }
    return undefined;
  },
};

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
