import type { JsonObject, JsonValue } from '../../../core/job.js';

/** One player-season row of a snapshot. */
export interface SnapshotRow {
  [field: string]: JsonValue;
}

/** A snapshot file that passed validation. */
export interface SnapshotDocument {
  source_name: string;
  snapshot_date: string;
  records: SnapshotRow[];
  source_metadata: JsonObject;
  raw_payload: JsonValue;
}

/** One thing wrong with a snapshot, at its JSON path (`$.records[3].birth_date`). */
export interface SnapshotProblem {
  path: string;
  message: string;
}

export type SnapshotValidation = { ok: true; document: SnapshotDocument } | { ok: false; problems: SnapshotProblem[] };

const TOP_FIELDS = ['source_name', 'snapshot_date', 'records', 'source_metadata', 'raw_payload'] as const;
const TEXT_FIELDS = ['competition_external_id', 'competition_name', 'season', 'team_external_id', 'team_name', 'player_external_id', 'full_name'] as const;
const OPTIONAL_TEXT_FIELDS = ['first_name', 'last_name', 'nationality', 'position', 'role'] as const;
const NUMBER_FIELDS = [
  'height_cm', 'weight_kg', 'games_played', 'minutes_per_game', 'points_per_game', 'rebounds_per_game', 'assists_per_game',
  'steals_per_game', 'blocks_per_game', 'turnovers_per_game', 'fg_pct', 'three_pt_pct', 'ft_pct',
] as const;
const ROW_FIELDS = new Set<string>([...TEXT_FIELDS, ...OPTIONAL_TEXT_FIELDS, ...NUMBER_FIELDS, 'birth_date', 'source_metadata', 'raw_payload']);

/**
 * Checks a snapshot file strictly and reports every problem with its JSON path. (A minimal version:
 * the full rules live with the file format.)
 */
export function validateSnapshotDocument(bytes: Uint8Array): SnapshotValidation {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    return { ok: false, problems: [{ path: '$', message: `not UTF-8 JSON: ${(error as Error).message}` }] };
  }
  const problems: SnapshotProblem[] = [];
  if (!isObject(value)) return { ok: false, problems: [{ path: '$', message: 'must be a JSON object' }] };
  for (const key of Object.keys(value)) if (!(TOP_FIELDS as readonly string[]).includes(key)) problems.push({ path: `$.${key}`, message: 'unknown field' });
  for (const key of TOP_FIELDS) if (!(key in value)) problems.push({ path: `$.${key}`, message: 'required' });
  if ('source_name' in value && (typeof value.source_name !== 'string' || value.source_name.trim() === '')) {
    problems.push({ path: '$.source_name', message: 'must be a non-empty string' });
  }
  if ('snapshot_date' in value && !isDate(value.snapshot_date)) problems.push({ path: '$.snapshot_date', message: 'must be a real date written YYYY-MM-DD' });
  if ('source_metadata' in value && !isObject(value.source_metadata)) problems.push({ path: '$.source_metadata', message: 'must be an object' });
  if ('records' in value) {
    if (!Array.isArray(value.records)) problems.push({ path: '$.records', message: 'must be an array' });
    else value.records.forEach((row, index) => checkRow(row, `$.records[${index}]`, problems));
  }
  return problems.length === 0 ? { ok: true, document: value as unknown as SnapshotDocument } : { ok: false, problems };
}

function checkRow(row: unknown, at: string, problems: SnapshotProblem[]): void {
  if (!isObject(row)) {
    problems.push({ path: at, message: 'must be an object' });
    return;
  }
  for (const key of Object.keys(row)) if (!ROW_FIELDS.has(key)) problems.push({ path: `${at}.${key}`, message: 'unknown field' });
  for (const key of ROW_FIELDS) if (!(key in row)) problems.push({ path: `${at}.${key}`, message: 'required' });
  for (const key of TEXT_FIELDS) if (key in row && (typeof row[key] !== 'string' || row[key] === '')) problems.push({ path: `${at}.${key}`, message: 'must be a non-empty string' });
  for (const key of OPTIONAL_TEXT_FIELDS) if (key in row && row[key] !== null && typeof row[key] !== 'string') problems.push({ path: `${at}.${key}`, message: 'must be a string or null' });
  for (const key of NUMBER_FIELDS) {
    if (key in row && row[key] !== null && (typeof row[key] !== 'number' || !Number.isFinite(row[key]))) problems.push({ path: `${at}.${key}`, message: 'must be a number or null' });
  }
  if ('birth_date' in row && row.birth_date !== null && !isDate(row.birth_date)) problems.push({ path: `${at}.birth_date`, message: 'must be a real date written YYYY-MM-DD, or null' });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isDate(value: unknown): boolean {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}
