import { ESPN_FIXTURE_DAY } from './espn-dates.js';
import { DEFAULT_REPLAY_PORT, ReplayServer } from './replay-server.js';

/**
 * `npm run replay`: serves testdata/smoothcomp as a Smoothcomp origin and testdata/espn as ESPN's
 * site API on loopback. Point the service at it with SMOOTHCOMP_BASE_URL_OVERRIDE and ESPN_BASE_URL
 * set to http://127.0.0.1:<port>. REPLAY_PORT picks the port (8090).
 * Prints one line per request; a request for something it does not serve gets a 404 listing what it does.
 */
const say = (line: string) => process.stdout.write(`replay: ${line}\n`);
const port = Number(process.env.REPLAY_PORT ?? DEFAULT_REPLAY_PORT);
const server = await new ReplayServer(undefined, ({ method, target, status, file }) =>
  say(`${method} ${target} -> ${status}${file === undefined ? '' : ` ${file}`}${status === 404 ? ' (no fixture; the 404 body lists what is served)' : ''}`),
)
  .start(port)
  .catch((error: unknown) => {
    process.stderr.write(`replay: cannot listen on 127.0.0.1:${port}: ${error instanceof Error ? error.message : String(error)}; pick another port with REPLAY_PORT\n`);
    process.exit(1);
  });
say(`serving testdata/smoothcomp and testdata/espn at ${server.origin} (${server.served().length} routes; curl ${server.origin}/ lists them)`);
say(`run the service with SMOOTHCOMP_BASE_URL_OVERRIDE=${server.origin} ESPN_BASE_URL=${server.origin}`);
say('ESPN routes serve a sequence: each request gets the next file (a scoreboard goes pre, in, post), the last one repeating');
say(`ESPN dates are served ${server.espnDayShift} days later than written (the fixture day ${ESPN_FIXTURE_DAY} served as a week from today), so pre games always lie ahead`);
const stop = () => {
  void server.stop().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
