// @ts-check
// Preloaded into a process (node --import) to make its wall clock wrong by CLOCK_SKEW_MS, as a
// machine whose clock drifted would be: Date.now() and new Date() are shifted; timers are not.
import { env } from 'node:process';

const skew = Number(env.CLOCK_SKEW_MS ?? 0);
if (skew !== 0) {
  const RealDate = Date;
  const now = () => RealDate.now() + skew;
  class SkewedDate extends RealDate {
    /** @param {[] | [string | number | Date] | [number, number, number?, number?, number?, number?, number?]} args */
    constructor(...args) {
      if (args.length === 0) super(now());
      else if (args.length === 1) super(args[0]);
      else super(args[0], args[1], args[2] ?? 1, args[3] ?? 0, args[4] ?? 0, args[5] ?? 0, args[6] ?? 0);
    }
    static now() {
      return now();
    }
  }
  globalThis.Date = /** @type {DateConstructor} */ (/** @type {unknown} */ (SkewedDate));
}
