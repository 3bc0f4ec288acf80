import { describe, expect, it } from 'vitest';
import { runApp } from '../support/run-app.js';

describe('npm run demo', () => {
  it('runs the whole service against the replay origin: all five Smoothcomp pipelines publish, an ESPN scoreboard goes pre to post with its summaries following', async () => {
    const run = await runApp('apps/demo/main.ts', {}, 90_000);
    expect(run.code, run.stderr).toBe(0);
    for (const pipeline of ['event_catalog', 'event_participants', 'event_detail', 'athlete_profile_enrichment', 'academy_catalog']) {
      expect(run.stdout).toMatch(new RegExp(`smoothcomp\\.${pipeline}: PUBLISH_CHANGED \\(CONTENT_CHANGED\\), \\d+ records, publication \\d+ version 1`));
    }
    expect(run.stdout).toContain('demo: all five pipelines published');
    // ESPN: the scoreboard goes pre -> in -> post, and the live games' summaries follow to their finals.
    expect(run.stdout).toMatch(/scoreboard 1: PUBLISH_CHANGED; .* pre, .* pre, .* pre/);
    expect(run.stdout).toMatch(/scoreboard 2: PUBLISH_CHANGED; .* in 38-41, NYK @ BOS in 4-3/);
    expect(run.stdout).toMatch(/summary 401800001 \(job \d+\): post 97-101, 14 plays, 3 warnings/);
    expect(run.stdout).toMatch(/summary 401800001 \(job \d+\): in 7-6, 13 plays, 3 warnings, version 2, changes \+8 ~1 -1/);
    expect(run.stdout).toMatch(/summary 401800003 \(job \d+\): post 95-88/);
    expect(run.stdout).toMatch(/scoreboard 4: PUBLISH_CHANGED; .* post .* post .* post/);
  });
});
