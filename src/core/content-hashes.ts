import { canonicalJson } from './canonical-json.js';
import { sha256Hex } from './sha256.js';

/** Fields that differ between two runs over the same data and so must never change a hash. */
export const VOLATILE_FIELDS: ReadonlySet<string> = new Set([
  'snapshot_id',
  'snapshotId',
  'job_id',
  'jobId',
  'correlation_id',
  'correlationId',
  'fetched_at',
  'fetchedAt',
]);

export interface SnapshotIdentity {
  resourceType: string;
  resourceKey: string;
  sha256: string;
}

/**
 * The hash of what an attempt fetched: sha256 over its snapshots' (resource type, resource key,
 * body sha256), sorted, so fetch order does not matter.
 */
export function sourceSnapshotHash(snapshots: readonly SnapshotIdentity[]): string {
  const entries = snapshots
    .map((s) => [s.resourceType, s.resourceKey, s.sha256])
    .sort((a, b) => (a.join('\u0000') < b.join('\u0000') ? -1 : a.join('\u0000') > b.join('\u0000') ? 1 : 0));
  return sha256Hex(canonicalJson(entries));
}

/** A copy of `value` without the volatile fields, at any depth. */
export function withoutVolatileFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutVolatileFields);
  if (typeof value === 'object' && value !== null) {
    // fromEntries defines properties: a `__proto__` key from parsed JSON stays a key, where an
    // assignment would set the copy's prototype instead.
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => !VOLATILE_FIELDS.has(key))
        .map(([key, item]) => [key, withoutVolatileFields(item)]),
    );
  }
  return value;
}

/** sha256 of the canonical JSON of normalized content, volatile fields removed. */
export function normalizedHash(content: unknown): string {
  return sha256Hex(canonicalJson(withoutVolatileFields(content)));
}

/** Delivery metadata: set when a publication is delivered, never part of what it says. */
const DELIVERY_FIELDS = ['published_at'] as const;

/** sha256 of the canonical envelope with its lineage, without delivery metadata. */
export function envelopeHash(envelope: Record<string, unknown>): string {
  const content: Record<string, unknown> = { ...envelope };
  for (const field of DELIVERY_FIELDS) delete content[field];
  return sha256Hex(canonicalJson(content));
}
