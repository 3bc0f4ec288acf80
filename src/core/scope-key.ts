import { canonicalJson } from './canonical-json.js';
import type { JsonObject } from './job.js';

/**
 * The canonical string that names a scope: the canonical JSON of the scope object. Two scopes with
 * the same fields and values in any key order share one key, so publication lookups and
 * per-scope serialization agree on what "the same scope" is.
 */
export function scopeKeyOf(scope: JsonObject): string {
  return canonicalJson(scope);
}
