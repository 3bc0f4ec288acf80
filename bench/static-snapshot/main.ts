import { normalizeSnapshot } from '../../src/adapters/static-dataset/snapshot/normalize-snapshot.js';
import { scanJsonText } from '../../src/adapters/static-dataset/snapshot/scan-json-text.js';
import { validateSnapshotDocument } from '../../src/adapters/static-dataset/snapshot/validate-snapshot.js';
import { normalizedHash } from '../../src/core/content-hashes.js';
import { buildLargeSnapshot } from '../../test/support/large-snapshot.js';
import { describeMachine } from '../compare/machine.js';

/**
 * `npx tsx bench/static-snapshot/main.ts [--copies 30 --rounds 7]`: the large snapshot fixture's rows
 * repeated under new ids into one file (30 copies are about 10 MB), then per round the time of
 * `JSON.parse` alone (the floor), the JSON scan (syntax position and repeated names), the whole
 * `validateSnapshotDocument`, `normalizeSnapshot` and the normalized hash. Prints medians.
 */
const arg = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : (process.argv[index + 1] ?? fallback);
};
const copies = Number(arg('copies', '30'));
const rounds = Number(arg('rounds', '7'));

const base = buildLargeSnapshot() as { records: Record<string, unknown>[] };
const records = Array.from({ length: copies }, (_, copy) =>
  base.records.map((row) => ({
    ...row,
    player_external_id: `${String(row.player_external_id)}-${copy}`,
    team_external_id: `${String(row.team_external_id)}-${copy}`,
  })),
).flat();
const text = `${JSON.stringify({ ...base, records }, null, 2)}\n`;
const bytes = new TextEncoder().encode(text);

const timings: Record<string, number[]> = { parse: [], scan: [], validate: [], normalize: [], hash: [] };
const time = <T>(name: string, run: () => T): T => {
  const started = performance.now();
  const result = run();
  timings[name]!.push(performance.now() - started);
  return result;
};
for (let round = 0; round < rounds; round += 1) {
  time('parse', () => JSON.parse(text) as unknown);
  time('scan', () => scanJsonText(text));
  const result = time('validate', () => validateSnapshotDocument(bytes));
  if (!result.ok) throw new Error(`the benchmark file is invalid: ${JSON.stringify(result.problems.slice(0, 3))}`);
  const content = time('normalize', () => normalizeSnapshot(result.document));
  time('hash', () => normalizedHash(content));
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
console.log(JSON.stringify(describeMachine()));
console.log(`${(bytes.length / 1e6).toFixed(1)} MB, ${records.length} rows, ${rounds} rounds; median ms:`);
for (const [name, values] of Object.entries(timings)) console.log(`  ${name.padEnd(10)} ${median(values).toFixed(0).padStart(6)}`);
