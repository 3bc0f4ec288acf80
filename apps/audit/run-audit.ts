import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { JobError } from '../../src/core/job-error.js';
import type { JsonObject } from '../../src/core/job.js';
import type { FetchedResource, PipelineDefinition } from '../../src/core/pipeline.js';
import { sha256Hex } from '../../src/core/sha256.js';

export const MISMATCH_CLASSES = [
  'SOURCE_NOT_VISIBLE',
  'PARTIAL_SOURCE_DATA',
  'PARSER_DRIFT',
  'NORMALIZATION_BUG',
  'ID_RESOLUTION_BUG',
  'SUBDOMAIN_VARIANT',
  'EXPECTATION_WAS_WRONG',
  'UNSUPPORTED_VARIANT',
] as const;
export type MismatchClass = (typeof MISMATCH_CLASSES)[number];

const caseSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/),
  pipeline: z.string(),
  description: z.string(),
  scope: z.record(z.string(), z.json()),
  fixtures: z.array(z.strictObject({ resource_type: z.string(), resource_key: z.string(), file: z.string(), status: z.int().default(200) })).min(1),
  /** Curated truth: what a person reading the source says the normalized output must hold. */
  truth: z.array(z.strictObject({ path: z.string(), equals: z.json() })).default([]),
  /** The case must fail parsing with this code (drift fixtures). */
  expect_parse_error: z.string().optional(),
  /** Mismatches already understood, with their class; anything else fails the audit. */
  known_mismatches: z.array(z.strictObject({ path: z.string(), class: z.enum(MISMATCH_CLASSES), note: z.string() })).default([]),
});
export type AuditCase = z.infer<typeof caseSchema>;

export interface Mismatch {
  path: string;
  expected: unknown;
  actual: unknown;
  class: MismatchClass;
  known: boolean;
  note: string;
}

export interface CaseResult {
  id: string;
  pipeline: string;
  description: string;
  status: 'pass' | 'known_mismatch' | 'fail';
  checks: number;
  mismatches: Mismatch[];
}

export function loadDataset(root: string): AuditCase[] {
  return z.array(caseSchema).parse(JSON.parse(readFileSync(join(root, 'audit/dataset.json'), 'utf8')));
}

/** Runs one case: the pipeline's pure parse and normalize over the fixtures, then the truth. */
export function runCase(auditCase: AuditCase, pipelines: Map<string, PipelineDefinition>, root: string): CaseResult {
  const pipeline = pipelines.get(auditCase.pipeline);
  if (pipeline === undefined) throw new Error(`${auditCase.id}: unknown pipeline ${auditCase.pipeline}`);
  const raw: string[] = [];
  const fetched: FetchedResource[] = auditCase.fixtures.map((f, index) => {
    const body = readFileSync(join(root, f.file));
    raw.push(body.toString('utf8'));
    return { snapshotId: String(index + 1), resourceType: f.resource_type, resourceKey: f.resource_key, url: f.resource_key, status: f.status, contentType: null, sha256: sha256Hex(body), body: new Uint8Array(body) };
  });
  const scope = pipeline.scopeSchema.parse(auditCase.scope);
  const known = new Map(auditCase.known_mismatches.map((k) => [k.path, k]));
  let output: JsonObject;
  try {
    output = pipeline.normalize({ scope, parsed: pipeline.parse({ scope, fetched }) });
  } catch (error) {
    if (!(error instanceof JobError)) throw error;
    const expected = auditCase.expect_parse_error;
    const mismatch: Mismatch = { path: '(parse)', expected: expected ?? 'records', actual: `${error.category}/${error.code}`, class: 'PARSER_DRIFT', known: false, note: error.message };
    if (expected === error.code) return { id: auditCase.id, pipeline: auditCase.pipeline, description: auditCase.description, status: 'pass', checks: 1, mismatches: [] };
    const entry = known.get('(parse)');
    return result(auditCase, 1, [{ ...mismatch, known: entry !== undefined, note: entry?.note ?? mismatch.note, class: entry?.class ?? mismatch.class }]);
  }
  if (auditCase.expect_parse_error !== undefined) {
    return result(auditCase, 1, [{ path: '(parse)', expected: auditCase.expect_parse_error, actual: 'records', class: 'PARSER_DRIFT', known: false, note: 'drift was not detected: the parser returned data for a drifted page' }]);
  }
  const mismatches: Mismatch[] = [];
  for (const truth of auditCase.truth) {
    const actual = valueAt(output, truth.path);
    if (JSON.stringify(actual) === JSON.stringify(truth.equals)) continue;
    const entry = known.get(truth.path);
    mismatches.push({
      path: truth.path,
      expected: truth.equals,
      actual,
      class: entry?.class ?? classify(truth.path, truth.equals, actual, raw, typeof auditCase.scope.host === 'string' ? auditCase.scope.host : ''),
      known: entry !== undefined,
      note: entry?.note ?? '',
    });
  }
  return result(auditCase, auditCase.truth.length, mismatches);
}

function result(auditCase: AuditCase, checks: number, mismatches: Mismatch[]): CaseResult {
  const status = mismatches.length === 0 ? 'pass' : mismatches.every((m) => m.known) ? 'known_mismatch' : 'fail';
  return { id: auditCase.id, pipeline: auditCase.pipeline, description: auditCase.description, status, checks, mismatches };
}

/**
 * A first reading of an unexplained mismatch, from the raw bytes: a value the source never shows
 * cannot be extracted; one it shows but we lost is ours to fix.
 */
export function classify(path: string, expected: unknown, actual: unknown, raw: string[], host: string): MismatchClass {
  const wanted = typeof expected === 'string' || typeof expected === 'number' ? String(expected) : undefined;
  // As written, JSON-escaped, or with non-ASCII as \uXXXX the way scripts often embed it.
  const forms = wanted === undefined ? [] : [wanted, JSON.stringify(wanted).slice(1, -1), asciiEscaped(wanted), asciiEscaped(wanted).replace(/\//g, '\\/')];
  const visible = wanted === undefined || raw.some((text) => forms.some((form) => text.includes(form)));
  if (!visible) return 'SOURCE_NOT_VISIBLE';
  if (actual === undefined) return 'PARTIAL_SOURCE_DATA';
  if (/(^|\.)(url|host)$/.test(path) && host !== 'smoothcomp.com') return 'SUBDOMAIN_VARIANT';
  if (/(_id|\.id)$/.test(path)) return 'ID_RESOLUTION_BUG';
  return 'NORMALIZATION_BUG';
}

function asciiEscaped(value: string): string {
  return JSON.stringify(value)
    .slice(1, -1)
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `records[0].athlete.full_name` -> the value there, or undefined. */
export function valueAt(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const part of path.replace(/\[(\d+)\]/g, '.$1').split('.').filter((p) => p !== '')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** Which provider's report: its title and where its dataset lives. */
export interface AuditReport {
  provider: string;
  dataset: string;
}
export const SMOOTHCOMP_AUDIT: AuditReport = { provider: 'Smoothcomp', dataset: 'testdata/smoothcomp/audit/dataset.json' };
export const ESPN_AUDIT: AuditReport = { provider: 'ESPN', dataset: 'testdata/espn/audit/dataset.json' };

export function renderMarkdown(results: CaseResult[], report: AuditReport = SMOOTHCOMP_AUDIT): string {
  const count = (status: CaseResult['status']) => results.filter((r) => r.status === status).length;
  const byPipeline = new Map<string, CaseResult[]>();
  for (const r of results) byPipeline.set(r.pipeline, [...(byPipeline.get(r.pipeline) ?? []), r]);
  const lines = [
    `# ${report.provider} extraction audit`,
    '',
    `Generated by \`npm run audit\` from \`${report.dataset}\`; do not edit by hand.`,
    'Each case runs a pipeline\'s parse and normalize over fixture snapshots and compares the output with',
    'curated truth. Fixtures are hand-written from the documented response shapes (see the fixture',
    'READMEs), so this audit measures the parsers against those shapes, not against live responses.',
    '',
    `**${results.length} cases, ${results.reduce((n, r) => n + r.checks, 0)} checks: ${count('pass')} pass, ${count('known_mismatch')} with known mismatches, ${count('fail')} failing.**`,
    '',
    '| pipeline | cases | pass | known mismatches | failing |',
    '|---|---|---|---|---|',
    ...[...byPipeline.entries()].map(([pipeline, rs]) => `| \`${pipeline}\` | ${rs.length} | ${rs.filter((r) => r.status === 'pass').length} | ${rs.filter((r) => r.status === 'known_mismatch').length} | ${rs.filter((r) => r.status === 'fail').length} |`),
    '',
    '## Cases',
    '',
    '| case | pipeline | what it checks | checks | result |',
    '|---|---|---|---|---|',
    ...results.map((r) => `| \`${r.id}\` | \`${r.pipeline}\` | ${r.description} | ${r.checks} | ${r.status} |`),
  ];
  const mismatches = results.flatMap((r) => r.mismatches.map((m) => ({ id: r.id, ...m })));
  lines.push('', '## Mismatches', '');
  if (mismatches.length === 0) lines.push('None.');
  else {
    lines.push('| case | field | expected | actual | class | known | note |', '|---|---|---|---|---|---|---|');
    for (const m of mismatches) lines.push(`| \`${m.id}\` | \`${m.path}\` | ${cell(m.expected)} | ${cell(m.actual)} | ${m.class} | ${m.known ? 'yes' : 'no'} | ${m.note} |`);
  }
  return `${lines.join('\n')}\n`;
}

function cell(value: unknown): string {
  return `\`${JSON.stringify(value ?? null).replace(/\|/g, '\\|')}\``;
}
