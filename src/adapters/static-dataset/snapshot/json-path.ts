/** One step of a JSON path: a field name or an array index. */
export type JsonPathSegment = string | number;

const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A JSON path a person can read, `$.records[3].birth_date`, from the segments below the document.
 * A field whose name is not a plain identifier is quoted, `$["odd name"]`, so every path names
 * exactly one place whatever the file's keys are.
 */
export function jsonPath(segments: readonly PropertyKey[]): string {
  let path = '$';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else if (typeof segment === 'string' && PLAIN_NAME.test(segment)) path += `.${segment}`;
    else path += `[${JSON.stringify(String(segment))}]`;
  }
  return path;
}
