import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ESPN_AUDIT, loadDataset, renderMarkdown, runCase } from '../../apps/audit/run-audit.js';
import { ESPN_TESTDATA } from '../../apps/replay/replay-server.js';
import { registeredPipelines } from '../../src/platform/handlers.js';
import { PROJECT_ROOT } from '../support/run-app.js';

const pipelines = new Map(registeredPipelines().map((p) => [p.name, p]));
const dataset = loadDataset(ESPN_TESTDATA);
const run = dataset.map((c) => runCase(c, pipelines, ESPN_TESTDATA));

describe('the ESPN extraction audit', () => {
  it('has at least 20 cases over both pipelines, all passing or known', () => {
    expect(dataset.length).toBeGreaterThanOrEqual(20);
    expect(new Set(dataset.map((c) => c.pipeline))).toEqual(new Set(['espn.scoreboard', 'espn.game_summary']));
    expect(run.filter((r) => r.status === 'fail')).toEqual([]);
  });

  it('fails a case whose truth the parser does not meet', () => {
    const base = dataset.find((c) => c.id === 'sum-in2-late-insert');
    if (base === undefined) throw new Error('no case sum-in2-late-insert');
    expect(runCase({ ...base, truth: [{ path: 'plays[3].id', equals: '4018000023' }] }, pipelines, ESPN_TESTDATA)).toMatchObject({ status: 'fail', mismatches: [{ class: 'ID_RESOLUTION_BUG' }] });
  });

  it('has its committed report current', () => {
    expect(readFileSync(`${PROJECT_ROOT}docs/espn-extraction-audit.md`, 'utf8')).toBe(renderMarkdown(run, ESPN_AUDIT));
  });
});
