import { describe, expect, it } from 'vitest';
import { runApp } from '../support/run-app.js';

describe('npm run demo', () => {
  it('runs the whole service against the replay origin and shows all five pipelines publishing', async () => {
    const run = await runApp('apps/demo/main.ts', {}, 90_000);
    expect(run.code, run.stderr).toBe(0);
    for (const pipeline of ['event_catalog', 'event_participants', 'event_detail', 'athlete_profile_enrichment', 'academy_catalog']) {
      expect(run.stdout).toMatch(new RegExp(`smoothcomp\\.${pipeline}: PUBLISH_CHANGED \\(CONTENT_CHANGED\\), \\d+ records, publication \\d+ version 1`));
    }
    expect(run.stdout).toContain('demo: all five pipelines published');
  });
});
