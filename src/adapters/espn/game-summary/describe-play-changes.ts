import type { JsonObject, JsonValue } from '../../../core/job.js';
import type { NormalizedContent } from '../../../core/pipeline.js';

function playsOf(content: NormalizedContent | null): Map<string, JsonObject> {
  const plays = content?.plays;
  const byId = new Map<string, JsonObject>();
  if (!Array.isArray(plays)) return byId;
  for (const play of plays) {
    if (typeof play === 'object' && play !== null && !Array.isArray(play) && typeof play.id === 'string') byId.set(play.id, play);
  }
  return byId;
}

function changedFields(before: JsonObject, after: JsonObject): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((key) => JSON.stringify(before[key] ?? null) !== JSON.stringify(after[key] ?? null)).sort();
}

/**
 * The play ledger's diff against the previous publication of the game: ids added, changed (with
 * the fields that changed) and removed, in ledger order; and the game fields that changed.
 */
export function describePlayChanges(previous: NormalizedContent | null, next: NormalizedContent): JsonObject {
  const before = playsOf(previous);
  const after = playsOf(next);
  const added: JsonValue[] = [];
  const changed: JsonValue[] = [];
  for (const [id, play] of after) {
    const old = before.get(id);
    if (old === undefined) added.push(id);
    else {
      const fields = changedFields(old, play);
      if (fields.length > 0) changed.push({ id, fields });
    }
  }
  const removed = [...before.keys()].filter((id) => !after.has(id));
  const game = (content: NormalizedContent | null): JsonObject => {
    const first = content?.records[0];
    return typeof first === 'object' && first !== null && !Array.isArray(first) ? first : {};
  };
  return {
    plays_added: added,
    plays_changed: changed,
    plays_removed: removed,
    game_fields_changed: previous === null ? [] : changedFields(game(previous), game(next)),
  };
}
