import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

const totals = () =>
  cpus().reduce(
    (sum, cpu) => {
      const { user, nice, sys, idle, irq } = cpu.times;
      return { busy: sum.busy + user + nice + sys + irq, all: sum.all + user + nice + sys + idle + irq };
    },
    { busy: 0, all: 0 },
  );

/** CPU time (ms) the whole machine has spent busy so far, over all cores and processes. */
export const machineBusyMs = (): number => totals().busy;

/** Share of all the machine's CPU time (0..1) spent busy over the next `windowMs`. */
export async function cpuBusy(windowMs: number): Promise<number> {
  const before = totals();
  await sleep(windowMs);
  const after = totals();
  const all = after.all - before.all;
  return all <= 0 ? 0 : (after.busy - before.busy) / all;
}

/**
 * Waits, up to `maxWaitMs`, until the machine is quiet (below `threshold` busy over `windowMs`),
 * so one measurement's leftovers or another program's work do not land in the next one. Returns
 * how busy it was at the last look.
 */
export async function waitForQuiet(options: { threshold: number; windowMs: number; maxWaitMs: number }): Promise<number> {
  const deadline = performance.now() + options.maxWaitMs;
  for (;;) {
    const busy = await cpuBusy(options.windowMs);
    if (busy < options.threshold || performance.now() >= deadline) return Math.round(busy * 100) / 100;
  }
}
