import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplayServer } from '../../apps/replay/replay-server.js';
import { loadConfig } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { startAllInOne } from '../../src/platform/start-all-in-one.js';
import { createPostgresDatabase, createSqliteDatabase, type TestDatabase } from '../support/test-databases.js';
import { waitFor } from '../support/wait-for.js';

interface JobView {
  id: string;
  scope_key: string;
  state: string;
  scope: { event_id?: string };
  params: Record<string, unknown>;
  counters: Record<string, unknown>;
  next_retry_at: string;
}

describe.each(['postgres', 'sqlite'] as const)('live polling through the follow-up engine (%s)', (dialect) => {
  let replay: ReplayServer;
  let database: TestDatabase;
  let service: Awaited<ReturnType<typeof startAllInOne>>;

  beforeAll(async () => {
    replay = await new ReplayServer().start();
    database = dialect === 'postgres' ? await createPostgresDatabase() : await createSqliteDatabase();
    const config = loadConfig({
      DATABASE_DRIVER: dialect,
      DATABASE_DSN: database.dsn,
      DATABASE_RUN_MIGRATIONS: 'true',
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      ALLOW_INSECURE_INTERNAL_AUTH: 'true',
      ESPN_BASE_URL: replay.origin,
      ESPN_REQUESTS_PER_MINUTE: '10000',
      ESPN_LIVE_POLL_INTERVAL_SEC: '5',
      WORKER_POLL_INTERVAL_SEC: '0.1',
      WORKER_SHUTDOWN_TIMEOUT_SEC: '2',
    });
    service = await startAllInOne(config, createLogger('silent'));
  });
  afterAll(async () => {
    await service.stop();
    await replay.stop();
    await database.drop();
  });

  const summaries = async (eventId: string): Promise<JobView[]> => {
    const { jobs } = (await (await fetch(`${service.apiUrl}/internal/v1/jobs?pipeline=espn.game_summary&limit=200`)).json()) as { jobs: JobView[] };
    return jobs.filter((job) => job.scope.event_id === eventId).toReversed();
  };

  async function scoreboard(): Promise<void> {
    const response = await fetch(`${service.apiUrl}/internal/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pipeline: 'espn.scoreboard', scope: { sport: 'basketball', league: 'nba', date: '20261201' } }),
    });
    const { job } = (await response.json()) as { job: { id: string } };
    await waitFor(
      `scoreboard job ${job.id}`,
      async () => ((await (await fetch(`${service.apiUrl}/internal/v1/jobs/${job.id}`)).json()) as { job: JobView }).job.state === 'succeeded',
      60_000,
    );
  }

  it('polls a live game until it is final, then waits for the corrections only, and never twice', async () => {
    // The scoreboard shows what each step says (a game's start-time summary is a unit test: it depends on the date).
    replay.replace('scoreboard/nba-20261201-pre.json', 'scoreboard/nba-20261201-in.json');
    await scoreboard(); // in: the summaries follow, one interval apart, until the game is final
    const chain = await waitFor(
      'the summaries of game 401800001 up to its final',
      async () => {
        const jobs = await summaries('401800001');
        return jobs.some((job) => job.state === 'succeeded' && job.counters.follow_ups_declared === 3) ? jobs : undefined;
      },
      120_000,
    );
    const ran = chain.filter((job) => job.state === 'succeeded');
    expect(ran.map((job) => job.params.unchanged_polls ?? null)).toEqual([null, 0, 0]);
    expect(ran.map((job) => job.counters.follow_ups_enqueued)).toEqual([1, 1, 3]);
    expect(chain.filter((job) => job.state === 'pending')).toHaveLength(3); // the corrections, at +2 min, +30 min, +6 h

    await scoreboard(); // in again, unchanged: nothing new
    replay.replace('scoreboard/nba-20261201-pre.json', 'scoreboard/nba-20261201-post.json');
    await scoreboard(); // post: the corrections it declares exist already
    expect((await summaries('401800001')).map((job) => job.id)).toEqual(chain.map((job) => job.id));

    // Each publication of the game says what changed in its ledger against the one before.
    const scopeKey = encodeURIComponent(chain[0]?.scope_key ?? '');
    const listed = (await (await fetch(`${service.apiUrl}/internal/v1/publications?pipeline=espn.game_summary&scope_key=${scopeKey}`)).json()) as {
      publications: { version: number; envelope: { changes?: Record<string, unknown> } }[];
    };
    // The +2 min correction may have published a fourth version on a very slow run; the first three are the live game.
    const publications = listed.publications.filter((p) => p.version <= 3);
    expect(publications.map((p) => p.version)).toEqual([3, 2, 1]);
    expect(publications[2]?.envelope.changes).toMatchObject({ plays_added: ['4018000011', '4018000014', '4018000017', '4018000020', '4018000023', '4018000026'], plays_removed: [] });
    expect(publications[1]?.envelope.changes).toMatchObject({ plays_changed: [{ id: '4018000017', fields: ['text'] }], plays_removed: ['4018000020'] });
    expect(publications[0]?.envelope.changes).toEqual({ plays_added: ['4018000090'], plays_changed: [], plays_removed: [], game_fields_changed: expect.arrayContaining(['state', 'completed']) as unknown });
  });
});
