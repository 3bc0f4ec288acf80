import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderRecordExamples } from '../../apps/audit/record-examples.js';
import { loadDataset, renderMarkdown, runCase, type AuditCase } from '../../apps/audit/run-audit.js';
import { ESPN_TESTDATA, SMOOTHCOMP_TESTDATA } from '../../apps/replay/replay-server.js';
import { registeredPipelines } from '../../src/platform/handlers.js';
import { PROJECT_ROOT, runApp } from '../support/run-app.js';

const pipelines = new Map(registeredPipelines().map((p) => [p.name, p]));
const dataset = loadDataset(SMOOTHCOMP_TESTDATA);
const base = dataset.find((c) => c.id === 'catalog-us-order')!;
const run = (c: AuditCase) => runCase(c, pipelines, SMOOTHCOMP_TESTDATA);

describe('the extraction audit', () => {
  it('has at least 30 cases covering all five pipelines, all passing or known', () => {
    expect(dataset.length).toBeGreaterThanOrEqual(30);
    expect(new Set(dataset.map((c) => c.pipeline)).size).toBe(5);
    expect(dataset.map(run).filter((r) => r.status === 'fail')).toEqual([]);
  });

  it('classifies unexplained mismatches and fails on them', () => {
    const invisible = run({ ...base, truth: [{ path: 'records[0].title', equals: 'A Title Nowhere In The Page' }] });
    expect(invisible).toMatchObject({ status: 'fail', mismatches: [{ class: 'SOURCE_NOT_VISIBLE', known: false }] });
    const lost = run({ ...base, truth: [{ path: 'records[0].venue', equals: 'San José' }] });
    expect(lost.mismatches[0]?.class).toBe('PARTIAL_SOURCE_DATA');
    const wrongId = run({ ...base, truth: [{ path: 'records[0].event_id', equals: '21002' }] });
    expect(wrongId.mismatches[0]?.class).toBe('ID_RESOLUTION_BUG');
    const wrongValue = run({ ...base, truth: [{ path: 'records[0].city', equals: 'Denver' }] });
    expect(wrongValue.mismatches[0]?.class).toBe('NORMALIZATION_BUG');
    const undetected = run({ ...base, expect_parse_error: 'EVENTS_ARRAY_NOT_FOUND' });
    expect(undetected.mismatches[0]?.class).toBe('PARSER_DRIFT');
  });

  it('is deterministic and its committed report is current', () => {
    const first = renderMarkdown(dataset.map(run));
    expect(renderMarkdown(dataset.map(run))).toBe(first);
    expect(readFileSync(`${PROJECT_ROOT}docs/smoothcomp-extraction-audit.md`, 'utf8')).toBe(first);
  });

  it('keeps docs/smoothcomp-records.md in step with the normalizers', () => {
    expect(readFileSync(`${PROJECT_ROOT}docs/smoothcomp-records.md`, 'utf8')).toBe(renderRecordExamples(SMOOTHCOMP_TESTDATA, pipelines));
  });

  it('npm run audit -- --format json reports every case of every provider and exits 0', async () => {
    const result = await runApp('apps/audit/main.ts', {}, 60_000, ['--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { cases: number; failing: number; results: { id: string }[] };
    const espn = loadDataset(ESPN_TESTDATA);
    expect(report).toMatchObject({ cases: dataset.length + espn.length, failing: 0 });
    expect(report.results.map((r) => r.id)).toEqual([...dataset, ...espn].map((c) => c.id));
  });
});
