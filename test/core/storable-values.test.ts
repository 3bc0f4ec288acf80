import { describe, expect, it } from 'vitest';
import { isStorableInstant, jsonProblem, MAX_JSON_DEPTH, storableText, textProblem } from '../../src/core/storable-values.js';

describe('storable values', () => {
  it('refuses NUL and unpaired surrogates in text, and keeps paired ones', () => {
    expect(textProblem('a\u0000b')).toMatch(/NUL/);
    expect(textProblem('\ud800')).toMatch(/surrogate/);
    expect(textProblem('x\udc00')).toMatch(/surrogate/);
    expect(textProblem('\udc00\ud800')).toMatch(/surrogate/);
    expect(textProblem('João 柔術 \u{1f94b}')).toBeUndefined();
  });

  it('names the path to the first bad key, string or number', () => {
    expect(jsonProblem({ a: [1, { b: 'x\u0000' }] })).toEqual({ path: ['a', '1', 'b'], message: expect.stringMatching(/NUL/) as string });
    expect(jsonProblem({ a: { 'k\ud800': 1 } })).toEqual({ path: ['a'], message: expect.stringMatching(/^a key .*surrogate/) as string });
    expect(jsonProblem({ n: Number.POSITIVE_INFINITY })).toEqual({ path: ['n'], message: 'must be a finite number' });
    expect(jsonProblem({ ok: [null, true, 1.5, 'text', { nested: [] }] })).toBeUndefined();
  });

  it('allows exactly the depth limit and stops walking beyond it, however deep the value', () => {
    const nest = (depth: number) => {
      let value: unknown = 'leaf';
      for (let i = 1; i < depth; i++) value = [value];
      return { top: value };
    };
    // The object is level 1, so MAX_JSON_DEPTH levels of containers in all.
    expect(jsonProblem(nest(MAX_JSON_DEPTH))).toBeUndefined();
    expect(jsonProblem(nest(MAX_JSON_DEPTH + 1))?.message).toMatch(/deeper than 32/);
    const problem = jsonProblem(nest(200_000));
    expect(problem?.path).toHaveLength(MAX_JSON_DEPTH);
  });

  it('keeps instants to years 0001 through 9999 in UTC', () => {
    expect(isStorableInstant(Date.parse('0001-01-01T00:00:00Z'))).toBe(true);
    expect(isStorableInstant(Date.parse('9999-12-31T23:59:59.999Z'))).toBe(true);
    expect(isStorableInstant(Date.parse('0000-12-31T23:59:59.999Z'))).toBe(false);
    expect(isStorableInstant(Date.parse('9999-12-31T23:59:59-00:01'))).toBe(false);
    expect(isStorableInstant(Number.NaN)).toBe(false);
  });

  it('makes text storable by replacing NUL and unpaired surrogates with U+FFFD, keeping paired ones', () => {
    const made = storableText('<html>\u0000 \uD800x \uDC00 \uD83D\uDE00');
    expect(made).toBe('<html>\uFFFD \uFFFDx \uFFFD \uD83D\uDE00');
    expect(textProblem(made)).toBeUndefined();
    expect(storableText('plain')).toBe('plain');
  });
});
