import pino from 'pino';
import { Scheduler } from '../../src/application/scheduler/scheduler.js';
import { createCronerEngine } from '../../src/adapters/schedule/croner-engine.js';
import type { FireDueRequest, FiredSchedule } from '../../src/core/schedule-repository.js';
import { openStorage } from '../../src/platform/storage.js';

/**
 * One firing process of `npm run bench:scheduler`: a Scheduler as a worker runs it, on its own
 * connections, until SIGTERM; then it prints what its passes cost as one JSON line.
 */
const [dsn = '', pollMs = '500'] = process.argv.slice(2);
const storage = openStorage({ driver: 'postgres', dsn, runMigrations: false, maxOpenConns: 4, maxIdleConns: 2, connMaxLifetimeSec: 0 });
let passes = 0;
let busyPasses = 0;
let passMs = 0;
let fires = 0;
const timed = {
  ...storage.schedules,
  fireDueSchedules: async (request: FireDueRequest): Promise<FiredSchedule[]> => {
    const started = performance.now();
    const fired = await storage.schedules.fireDueSchedules(request);
    const ms = performance.now() - started;
    passes++;
    if (fired.length > 0) {
      busyPasses++;
      passMs += ms;
    }
    fires += fired.reduce((sum, f) => sum + f.jobIds.length, 0);
    return fired;
  },
};
const scheduler = new Scheduler({
  schedules: timed,
  engine: createCronerEngine(),
  defaultMaxAttempts: 3,
  pollIntervalMs: Number(pollMs),
  logger: pino({ level: 'warn' }),
});
scheduler.start();
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void scheduler.stop().then(async () => {
    await storage.jobs.close();
    process.stdout.write(`${JSON.stringify({ passes, busyPasses, passMs, fires })}\n`);
  });
});
