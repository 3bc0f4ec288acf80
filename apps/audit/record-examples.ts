import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject } from '../../src/core/job.js';
import type { PipelineDefinition } from '../../src/core/pipeline.js';
import { sha256Hex } from '../../src/core/sha256.js';
import { loadDataset } from './run-audit.js';

/** The cases whose output documents each record type in docs/smoothcomp-records.md. */
const EXAMPLES: { title: string; caseId: string; description: string }[] = [
  { title: 'Event', caseId: 'catalog-us-order', description: 'One per event of a catalog listing (`smoothcomp.event_catalog`). The content also carries `pages` and `truncated` (the page cap cut the listing short).' },
  { title: 'Registration', caseId: 'participants-identity', description: 'One per registration and division of an event (`smoothcomp.event_participants`); the division name is split into gender, age, level (belt or level) and weight.' },
  { title: 'EventDetail', caseId: 'detail-identity', description: 'One per event (`smoothcomp.event_detail`): venue, address, organizer, dates, description.' },
  { title: 'Athlete', caseId: 'athlete-identity', description: 'One per profile (`smoothcomp.athlete_profile_enrichment`): identity, club, country, belt, the match history, and wins / losses overall and by method derived from it.' },
  { title: 'Academy', caseId: 'academy-members', description: 'One per club (`smoothcomp.academy_catalog`); `members` is null when the source was the country listing, which does not name them.' },
];

/** Renders the record documentation from the same fixtures and code the audit runs. */
export function renderRecordExamples(root: string, pipelines: Map<string, PipelineDefinition>): string {
  const cases = new Map(loadDataset(root).map((c) => [c.id, c]));
  const sections = EXAMPLES.map(({ title, caseId, description }) => {
    const c = cases.get(caseId);
    const pipeline = c === undefined ? undefined : pipelines.get(c.pipeline);
    if (c === undefined || pipeline === undefined) throw new Error(`no audit case ${caseId}`);
    const fetched = c.fixtures.map((f, i) => {
      const body = readFileSync(join(root, f.file));
      return { snapshotId: String(i + 1), resourceType: f.resource_type, resourceKey: f.resource_key, url: f.resource_key, status: f.status, contentType: null, sha256: sha256Hex(body), body: new Uint8Array(body) };
    });
    const scope = pipeline.scopeSchema.parse(c.scope);
    const content = pipeline.normalize({ scope, parsed: pipeline.parse({ scope, fetched }) }) as JsonObject & { records: JsonObject[] };
    return [`## ${title}`, '', description, '', `Example (from \`${c.fixtures.map((f) => f.file).join('`, `')}\`):`, '', '```json', JSON.stringify(content.records[0], null, 2), '```', ''].join('\n');
  });
  return [
    '# Smoothcomp normalized records',
    '',
    'Generated from the fixtures by `npm run audit` (the same parse and normalize code the pipelines run);',
    'do not edit by hand. Every publication envelope carries these records under `content.records`.',
    'Missing source values are `null`, never empty strings; ids are strings; dates are `YYYY-MM-DD`.',
    '',
    ...sections,
  ].join('\n');
}
