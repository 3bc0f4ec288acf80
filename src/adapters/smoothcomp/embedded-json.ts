import { load } from 'cheerio';
import { JobError } from '../../core/job-error.js';

/**
 * Finds `var <name> = <JSON array or object>` in a page's inline scripts (not its comments or
 * text) and returns the JSON text. Returns undefined when no script assigns it.
 */
export function embeddedJsonText(html: string, variable: string): string | undefined {
  const $ = load(html);
  for (const script of $('script:not([src])').toArray()) {
    const found = assignedJson($(script).text(), variable);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The value assigned in `code`, found by matching brackets (strings and escapes respected). */
function assignedJson(html: string, variable: string): string | undefined {
  const marker = new RegExp(`\\b(?:var|let|const)\\s+${variable}\\s*=\\s*`, 'g');
  const match = marker.exec(html);
  if (match === null) return undefined;
  const start = match.index + match[0].length;
  const open = html[start];
  if (open !== '[' && open !== '{') return undefined;
  let depth = 0;
  let inString: string | undefined;
  for (let i = start; i < html.length; i++) {
    const char = html[i];
    if (inString !== undefined) {
      if (char === '\\') i++;
      else if (char === inString) inString = undefined;
      continue;
    }
    if (char === '"' || char === "'") inString = char;
    else if (char === '[' || char === '{') depth++;
    else if (char === ']' || char === '}') {
      depth--;
      if (depth === 0) return html.slice(start, i + 1);
    }
  }
  return undefined;
}

/**
 * The list a page assigns to `var <variable>`, or a classified parse error: the assignment missing
 * (markup drift), not JSON, or not a list. Codes are `<VARIABLE>_ARRAY_NOT_FOUND` and so on.
 */
export function embeddedJsonArray(html: string, variable: string, where: string): unknown[] {
  const code = variable.toUpperCase();
  const json = embeddedJsonText(html, variable);
  if (json === undefined) {
    throw new JobError('parse', `${code}_ARRAY_NOT_FOUND`, `${where}: no "var ${variable} = [...]" in the page; the markup may have changed`);
  }
  let items: unknown;
  try {
    items = JSON.parse(json);
  } catch (error) {
    throw new JobError('parse', `${code}_ARRAY_NOT_JSON`, `${where}: the ${variable} assignment is not valid JSON`, { cause: error });
  }
  if (!Array.isArray(items)) throw new JobError('parse', `${code}_NOT_A_LIST`, `${where}: ${variable} is not a list`);
  return items;
}
