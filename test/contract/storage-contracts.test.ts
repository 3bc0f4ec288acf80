import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { JOB_REPOSITORY_OPERATIONS } from './job-repository-contract.js';
import { STORAGE_CONTRACTS } from './storage-contracts.js';

const CONTRACT_DIR = fileURLToPath(new URL('./', import.meta.url));

/**
 * What each module in `dir` whose name passes `isModule` exports under a name matching `declares`: the
 * functions that declare tests. A module that exports none is listed with an empty array.
 */
async function testDeclarations(dir: string, isModule: (file: string) => boolean, declares: RegExp): Promise<Map<string, Map<string, unknown>>> {
  const found = new Map<string, Map<string, unknown>>();
  for (const file of readdirSync(dir).filter(isModule).sort()) {
    const exported = (await import(join(dir, file))) as Record<string, unknown>;
    found.set(file, new Map(Object.entries(exported).filter(([name, value]) => typeof value === 'function' && declares.test(name))));
  }
  return found;
}

/** The modules, and the test-declaring exports, that `run` does not include. */
function leftOut(declarations: Map<string, Map<string, unknown>>, run: readonly unknown[]): string[] {
  const problems: string[] = [];
  for (const [file, exported] of declarations) {
    if (exported.size === 0) problems.push(`${file} exports no function that declares tests`);
    for (const [name, value] of exported) if (!run.includes(value)) problems.push(`${file}: ${name}`);
  }
  return problems;
}

describe('storage contract entry point', () => {
  it('runs every *-contract.ts module under test/contract', async () => {
    const declarations = await testDeclarations(CONTRACT_DIR, (file) => file.endsWith('-contract.ts'), /^describe\w*Contract$/);
    expect([...declarations.keys()]).toContain('job-repository-contract.ts');
    expect(leftOut(declarations, STORAGE_CONTRACTS)).toEqual([]);
  });

  it('runs every operation file of the repository contract', async () => {
    const declarations = await testDeclarations(
      join(CONTRACT_DIR, 'job-repository'),
      (file) => file.endsWith('.ts') && file !== 'job-repository-bed.ts',
      /^test[A-Z]\w*$/,
    );
    expect([...declarations.keys()]).toContain('enqueue.ts');
    expect(leftOut(declarations, JOB_REPOSITORY_OPERATIONS)).toEqual([]);
  });
});
