import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/core/canonical-json.js';
import { scopeKeyOf } from '../../src/core/scope-key.js';

/** Rebuilds a value with every object's keys inserted in reverse order. */
function reorder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reorder);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reorder(v)]));
  }
  return value;
}

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops insignificant whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
  });

  it('writes numbers in their shortest round-trip form and folds -0 into 0', () => {
    expect(canonicalJson([1.0, 1e21, 0.1, -0, 1e-7, 123456789012])).toBe('[1,1e+21,0.1,0,1e-7,123456789012]');
  });

  it('keeps unicode as characters and escapes only what JSON requires', () => {
    expect(canonicalJson({ name: 'João Müller 柔術', q: 'say "hi"\n' })).toBe('{"name":"João Müller 柔術","q":"say \\"hi\\"\\n"}');
  });

  it('sorts keys by UTF-16 code units', () => {
    expect(canonicalJson({ é: 1, z: 2, A: 3, _: 4 })).toBe('{"A":3,"_":4,"z":2,"é":1}');
  });

  it('refuses values JSON cannot carry, naming where they are', () => {
    expect(() => canonicalJson({ a: [1, Number.NaN] })).toThrow('$.a[1]');
    expect(() => canonicalJson({ when: new Date(0) })).toThrow('$.when');
    expect(() => canonicalJson({ big: 1n })).toThrow('bigint');
  });

  it('gives the same text for the same value in any key order, and parses back to it', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(reorder(value))).toBe(text);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
      }),
    );
  });

  it('names a scope by its content, not its key order', () => {
    expect(scopeKeyOf({ host: 'smoothcomp.com', country: 'US' })).toBe(scopeKeyOf({ country: 'US', host: 'smoothcomp.com' }));
    expect(scopeKeyOf({ country: 'US' })).not.toBe(scopeKeyOf({ country: 'BR' }));
  });
});
