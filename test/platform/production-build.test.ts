import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/run-app.js';

/**
 * The Docker image runs the compiled apps from a directory holding the build output, package.json
 * and migrations/. This builds that layout and runs it, so the image's assumptions are tested
 * here even where no container engine exists.
 */
describe('the production build', () => {
  const root = mkdtempSync(join(tmpdir(), 'ia-build-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('compiles and runs the migrate app from the image layout', () => {
    const out = join(root, 'app');
    execFileSync(process.execPath, [join(PROJECT_ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(PROJECT_ROOT, 'tsconfig.build.json'), '--outDir', out], {
      cwd: PROJECT_ROOT,
      stdio: 'pipe',
    });
    cpSync(join(PROJECT_ROOT, 'package.json'), join(out, 'package.json'));
    cpSync(join(PROJECT_ROOT, 'migrations'), join(out, 'migrations'), { recursive: true });
    symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(out, 'node_modules'));
    const output = execFileSync(process.execPath, ['apps/migrate/main.js'], {
      cwd: out,
      env: { PATH: process.env.PATH ?? '', DATABASE_DRIVER: 'sqlite', DATABASE_DSN: join(root, 'image.db') },
      encoding: 'utf8',
    });
    expect(output).toMatch(/^migrate: applied 0001_job_ledger(, [0-9]{4}_[a-z0-9_]+)* to /);
  });
});
