// Preloaded into a process (node --import) to make its wall clock wrong by CLOCK_SKEW_MS, as a
// machine whose clock drifted would be: Date.now() and new Date() are shifted; timers are not.
const skew = Number(process.env.CLOCK_SKEW_MS ?? 0);
if (skew !== 0) {
  const RealDate = Date;
  const now = () => RealDate.now() + skew;
  class SkewedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(now());
      else super(...args);
    }
    static now() {
      return now();
    }
  }
  globalThis.Date = SkewedDate;
}
