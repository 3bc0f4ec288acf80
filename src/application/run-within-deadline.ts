import type { RunBound } from './run-bound.js';

export type DeadlineRun<T> = { timedOut: false; result: T } | { timedOut: true };

/**
 * Awaits `running`; if `bound` expires first, calls `onDeadline`. When that takes over (returns
 * true) the outcome of `running` no longer matters, but it is still awaited: the caller's slot is
 * held until the work has really stopped, so a handler that ignores its abort signal cannot make
 * more jobs run at once than allowed. When it declines, `running` is awaited as usual.
 */
export async function runWithinDeadline<T>(
  running: Promise<T>,
  bound: RunBound,
  onDeadline: () => Promise<boolean>,
): Promise<DeadlineRun<T>> {
  try {
    const first = await Promise.race([running.then((result) => ({ result })), bound.expired.then(() => 'deadline' as const)]);
    if (first !== 'deadline') return { timedOut: false, result: first.result };
  } finally {
    bound.stop();
  }
  if (!(await onDeadline())) return { timedOut: false, result: await running };
  await running.then(
    () => undefined,
    () => undefined,
  );
  return { timedOut: true };
}
