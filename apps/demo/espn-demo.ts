/**
 * The ESPN half of `npm run demo`: the NBA scoreboard of 2026-12-01 polled four times as the replay
 * origin moves it pre -> in -> in -> post, with the game summaries its follow-ups start (and theirs)
 * shown as they publish. Returns whether everything it waited for happened.
 */

interface JobView {
  id: string;
  pipeline: string;
  state: string;
  scope: Record<string, unknown>;
  params: Record<string, unknown>;
  next_retry_at: string;
  counters: Record<string, unknown>;
  failure: { code: string; message: string } | null;
}
interface Details {
  job: JobView;
  result: { decision: string; classification: string; record_count: number } | null;
}
interface Game {
  event_id: string;
  short_name: string | null;
  state: string;
  home: { score: number | null };
  away: { score: number | null };
}

const ENDED = ['succeeded', 'failed', 'exhausted', 'cancelled'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runEspnDemo(apiUrl: string, say: (line: string) => void, pollIntervalSec: number): Promise<boolean> {
  const get = async <T>(path: string): Promise<T> => (await (await fetch(`${apiUrl}${path}`)).json()) as T;
  const scope = { sport: 'basketball', league: 'nba', date: '20261201' };
  const shown = new Set<string>();

  async function waitEnded(id: string, deadline: number): Promise<Details | undefined> {
    for (;;) {
      const details = await get<Details>(`/internal/v1/jobs/${id}`);
      if (ENDED.includes(details.job.state)) return details;
      if (Date.now() > deadline) return undefined;
      await sleep(100);
    }
  }

  /** Prints each summary job that ended since the last call, with what it published. */
  async function showSummaries(): Promise<JobView[]> {
    const { jobs } = await get<{ jobs: JobView[] }>('/internal/v1/jobs?pipeline=espn.game_summary&limit=200');
    for (const job of jobs.toReversed()) {
      if (!ENDED.includes(job.state) || shown.has(job.id)) continue;
      shown.add(job.id);
      const eventId = String(job.scope.event_id);
      if (job.state !== 'succeeded') {
        say(`    summary ${eventId} (job ${job.id}): ${job.state} ${job.failure?.code ?? ''}`);
        continue;
      }
      const { publications } = await get<{ publications: { version: number; envelope: { content: { records: Game[]; plays: unknown[]; warnings: unknown[] }; changes?: Record<string, unknown[]> } }[] }>(
        `/internal/v1/publications/latest?pipeline=espn.game_summary&event_id=${eventId}`,
      );
      const latest = publications[0];
      const game = latest?.envelope.content.records[0];
      const changes = latest?.envelope.changes;
      const diff = changes === undefined ? '' : `, changes +${changes.plays_added?.length ?? 0} ~${changes.plays_changed?.length ?? 0} -${changes.plays_removed?.length ?? 0}`;
      say(
        `    summary ${eventId} (job ${job.id}): ${game?.state ?? '?'} ${game?.away.score ?? '-'}-${game?.home.score ?? '-'}, ${latest?.envelope.content.plays.length ?? 0} plays, ` +
          `${latest?.envelope.content.warnings.length ?? 0} warnings, version ${latest?.version ?? '?'}${diff}`,
      );
    }
    return jobs;
  }

  say(`demo: ESPN scoreboard ${scope.sport}/${scope.league} ${scope.date}, polled four times; summaries every ${pollIntervalSec} s while a game is live`);
  let ok = true;
  for (let step = 1; step <= 4; step++) {
    const response = await fetch(`${apiUrl}/internal/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pipeline: 'espn.scoreboard', scope }) });
    const { job } = (await response.json()) as { job: { id: string } };
    const details = await waitEnded(job.id, Date.now() + 30_000);
    if (details?.job.state !== 'succeeded') {
      say(`  scoreboard ${step}: ${details?.job.state ?? 'still running'} ${details?.job.failure?.code ?? ''}`);
      return false;
    }
    const { publications } = await get<{ publications: { envelope: { content: { records: Game[] } } }[] }>('/internal/v1/publications/latest?pipeline=espn.scoreboard&date=20261201');
    const games = publications[0]?.envelope.content.records ?? [];
    say(`  scoreboard ${step}: ${details.result?.decision ?? '?'}; ${games.map((g) => `${g.short_name ?? g.event_id} ${g.state}${g.state === 'pre' ? '' : ` ${g.away.score ?? '-'}-${g.home.score ?? '-'}`}`).join(', ')}`);
    if (step === 2) {
      // The live games' summaries follow: each declares the next one an interval later, until the game is final.
      const deadline = Date.now() + 60_000 + 4 * pollIntervalSec * 1000;
      for (;;) {
        const jobs = await showSummaries();
        const finals = new Set(
          jobs.filter((j) => j.state === 'succeeded' && typeof j.counters.follow_ups_declared === 'number' && j.counters.follow_ups_declared >= 3).map((j) => String(j.scope.event_id)),
        );
        if (finals.has('401800001') && finals.has('401800003')) break;
        if (Date.now() > deadline) {
          say('  the live summaries did not reach a final state in time (is the follow-up engine running?)');
          ok = false;
          break;
        }
        await sleep(200);
      }
    }
  }
  await showSummaries();
  const { jobs } = await get<{ jobs: JobView[] }>('/internal/v1/jobs?pipeline=espn.game_summary&state=pending&limit=200');
  say(`  waiting: ${jobs.length} summaries (the corrections of finished games at +2 min, +30 min, +6 h; games not yet started at their start time)`);
  for (const job of jobs.toReversed().slice(0, 9)) say(`    summary ${String(job.scope.event_id)} not before ${job.next_retry_at}`);
  return ok;
}
