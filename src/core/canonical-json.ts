/**
 * Canonical JSON in the spirit of RFC 8785: object keys sorted by UTF-16 code units, no
 * insignificant whitespace, numbers in ECMAScript's shortest round-trip form (which is what
 * RFC 8785 prescribes), strings escaped as JSON.stringify escapes them. Two values that mean the
 * same thing always give the same text, so hashes over it are stable.
 */
export function canonicalJson(value: unknown): string {
  return write(value, '$');
}

function write(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${path}: ${String(value)} has no JSON form`);
      // -0 and 0 are the same JSON number.
      return JSON.stringify(value === 0 ? 0 : value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((item, i) => write(item, `${path}[${i}]`)).join(',')}]`;
      if (!isPlainObject(value)) throw new TypeError(`${path}: only plain objects, arrays and primitives have a canonical form`);
      const keys = Object.keys(value).filter((key) => value[key] !== undefined).sort();
      return `{${keys.map((key) => `${JSON.stringify(key)}:${write(value[key], `${path}.${key}`)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`${path}: a ${typeof value} has no JSON form`);
  }
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
