import { readdirSync, readFileSync } from 'node:fs';
import { PROJECT_ROOT } from '../support/run-app.js';
import type { SnapshotDocument } from '../../src/adapters/static-dataset/snapshot/snapshot-schema.js';
import { validateSnapshotDocument } from '../../src/adapters/static-dataset/snapshot/validate-snapshot.js';

export const SNAPSHOT_FIXTURES = `${PROJECT_ROOT}testdata/static-dataset`;

export function snapshotBytes(path: string): Uint8Array {
  return readFileSync(`${SNAPSHOT_FIXTURES}/${path}`);
}

/** The invalid fixtures, each with the problems expected beside it. */
export function invalidSnapshotFixtures(): { name: string; bytes: Uint8Array; expected: unknown }[] {
  return readdirSync(`${SNAPSHOT_FIXTURES}/invalid`)
    .filter((file) => file.endsWith('.json') && !file.endsWith('.expected-problems.json'))
    .sort()
    .map((file) => ({
      name: file,
      bytes: snapshotBytes(`invalid/${file}`),
      expected: JSON.parse(readFileSync(`${SNAPSHOT_FIXTURES}/invalid/${file.replace(/\.json$/, '.expected-problems.json')}`, 'utf8')) as unknown,
    }));
}

/** A valid fixture, validated. */
export function validSnapshot(name: 'small' | 'large'): SnapshotDocument {
  const result = validateSnapshotDocument(snapshotBytes(`valid/${name}.json`));
  if (!result.ok) throw new Error(`valid/${name}.json: ${JSON.stringify(result.problems)}`);
  return result.document;
}

export function encode(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}
