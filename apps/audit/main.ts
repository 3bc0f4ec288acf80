import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ESPN_TESTDATA, SMOOTHCOMP_TESTDATA } from '../replay/replay-server.js';
import { registeredPipelines } from '../../src/platform/handlers.js';
import { renderRecordExamples } from './record-examples.js';
import { ESPN_AUDIT, loadDataset, renderMarkdown, runCase } from './run-audit.js';

/**
 * `npm run audit` (or `npm run audit -- --format json`): runs the extraction audit of every
 * provider, writes docs/smoothcomp-extraction-audit.md, docs/espn-extraction-audit.md and the record
 * examples in docs/smoothcomp-records.md, prints a summary (or the JSON), and exits 1 if any
 * mismatch is not already known and classified in its dataset.
 */
const json = process.argv.includes('--format') && process.argv[process.argv.indexOf('--format') + 1] === 'json';
const pipelines = new Map(registeredPipelines().map((p) => [p.name, p]));
const smoothcomp = loadDataset(SMOOTHCOMP_TESTDATA).map((c) => runCase(c, pipelines, SMOOTHCOMP_TESTDATA));
const espn = loadDataset(ESPN_TESTDATA).map((c) => runCase(c, pipelines, ESPN_TESTDATA));
const results = [...smoothcomp, ...espn];
writeFileSync(fileURLToPath(new URL('../../docs/smoothcomp-extraction-audit.md', import.meta.url)), renderMarkdown(smoothcomp));
writeFileSync(fileURLToPath(new URL('../../docs/espn-extraction-audit.md', import.meta.url)), renderMarkdown(espn, ESPN_AUDIT));
writeFileSync(fileURLToPath(new URL('../../docs/smoothcomp-records.md', import.meta.url)), renderRecordExamples(SMOOTHCOMP_TESTDATA, pipelines));
const failing = results.filter((r) => r.status === 'fail');
if (json) {
  process.stdout.write(`${JSON.stringify({ cases: results.length, failing: failing.length, results }, null, 2)}\n`);
} else {
  for (const r of results) process.stdout.write(`${r.status.padEnd(14)} ${r.id} (${r.pipeline})\n`);
  process.stdout.write(`audit: ${results.length} cases, ${failing.length} failing; reports in docs/smoothcomp-extraction-audit.md and docs/espn-extraction-audit.md\n`);
}
process.exit(failing.length === 0 ? 0 : 1);
