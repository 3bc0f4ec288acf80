import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReplayServer } from '../replay/replay-server.js';
import { runEspnDemo } from './espn-demo.js';
import { loadConfig } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { startAllInOne } from '../../src/platform/start-all-in-one.js';

/**
 * `npm run demo`: the whole service with no network and no configuration. It serves the Smoothcomp
 * and ESPN fixtures from a local replay origin, runs the API and a worker on a throwaway SQLite file,
 * enqueues one job per Smoothcomp pipeline over HTTP, waits for them, and prints what was published;
 * then polls an ESPN scoreboard from pre to post while the game summaries follow it.
 */
const ESPN_POLL_SEC = 5;
const jobs = [
  { pipeline: 'smoothcomp.event_catalog', scope: { host: 'smoothcomp.com', country: 'US', event_type: 'upcoming' } },
  { pipeline: 'smoothcomp.event_participants', scope: { host: 'smoothcomp.com', event_id: '21001' } },
  { pipeline: 'smoothcomp.event_detail', scope: { host: 'ibjjf.smoothcomp.com', event_id: '21001' } },
  { pipeline: 'smoothcomp.athlete_profile_enrichment', scope: { host: 'smoothcomp.com', profile_id: '5501' } },
  { pipeline: 'smoothcomp.academy_catalog', scope: { host: 'smoothcomp.com', country: 'US' } },
];

const dir = mkdtempSync(join(tmpdir(), 'ingestion-adapter-demo-'));
const replay = await new ReplayServer().start();
const config = loadConfig({
  DATABASE_DRIVER: 'sqlite',
  DATABASE_DSN: join(dir, 'demo.db'),
  DATABASE_RUN_MIGRATIONS: 'true',
  HTTP_HOST: '127.0.0.1',
  HTTP_PORT: '0',
  ALLOW_INSECURE_INTERNAL_AUTH: 'true',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
  SMOOTHCOMP_BASE_URL_OVERRIDE: replay.origin,
  SMOOTHCOMP_REQUESTS_PER_MINUTE: '600',
  ESPN_BASE_URL: replay.origin,
  ESPN_REQUESTS_PER_MINUTE: '600',
  ESPN_LIVE_POLL_INTERVAL_SEC: String(ESPN_POLL_SEC),
  WORKER_POLL_INTERVAL_SEC: '0.2',
  WORKER_SHUTDOWN_TIMEOUT_SEC: '2',
});
const logger = createLogger(config.logLevel);
const service = await startAllInOne(config, logger);
const api = { url: service.apiUrl };
const say = (line: string) => process.stdout.write(`${line}\n`);

let failed = 0;
try {
  say(`demo: Smoothcomp replay at ${replay.origin}, API at ${api.url}, database ${join(dir, 'demo.db')}`);
  const ids: string[] = [];
  for (const job of jobs) {
    const response = await fetch(`${api.url}/internal/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(job) });
    const body = (await response.json()) as { job: { id: string } };
    if (response.status !== 201) throw new Error(`enqueue ${job.pipeline}: ${response.status} ${JSON.stringify(body)}`);
    ids.push(body.job.id);
    say(`enqueued job ${body.job.id}: ${job.pipeline} ${JSON.stringify(job.scope)}`);
  }
  const deadline = Date.now() + 30_000;
  for (const [index, id] of ids.entries()) {
    for (;;) {
      const details = (await (await fetch(`${api.url}/internal/v1/jobs/${id}`)).json()) as {
        job: { state: string; failure: { code: string; message: string } | null; counters: Record<string, unknown> };
        result: { decision: string; classification: string; record_count: number } | null;
      };
      if (['succeeded', 'failed', 'exhausted', 'cancelled'].includes(details.job.state) || Date.now() > deadline) {
        const pipeline = jobs[index]!.pipeline;
        if (details.job.state === 'succeeded' && details.result !== null) {
          const latest = (await (await fetch(`${api.url}/internal/v1/publications/latest?pipeline=${pipeline}`)).json()) as { publications: { version: number; id: string }[] };
          say(`  ${pipeline}: ${details.result.decision} (${details.result.classification}), ${details.result.record_count} records, publication ${latest.publications[0]?.id} version ${latest.publications[0]?.version}`);
        } else {
          failed++;
          say(`  ${pipeline}: ${details.job.state} ${details.job.failure === null ? '' : `${details.job.failure.code}: ${details.job.failure.message}`}`);
        }
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  say(failed === 0 ? 'demo: all five pipelines published' : `demo: ${failed} pipeline(s) did not publish`);
  if (!(await runEspnDemo(api.url, say, ESPN_POLL_SEC))) failed++;
  say('demo: to explore by hand, run `npm run replay` in one terminal and');
  say('      `SMOOTHCOMP_BASE_URL_OVERRIDE=http://127.0.0.1:8090 ESPN_BASE_URL=http://127.0.0.1:8090 npm start` in another (see the README)');
} finally {
  await service.stop();
  await replay.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed === 0 ? 0 : 1);
