import { ReplayServer } from './replay-server.js';

/**
 * `npm run replay`: serves testdata/smoothcomp as a Smoothcomp origin on loopback. Point the service
 * at it with SMOOTHCOMP_BASE_URL_OVERRIDE=http://127.0.0.1:<port>. REPLAY_PORT picks the port (8090).
 */
const port = Number(process.env.REPLAY_PORT ?? 8090);
const server = await new ReplayServer().start(port);
process.stdout.write(`replay: serving testdata/smoothcomp at ${server.origin}\n`);
process.stdout.write(`replay: run the service with SMOOTHCOMP_BASE_URL_OVERRIDE=${server.origin}\n`);
const stop = () => {
  void server.stop().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
