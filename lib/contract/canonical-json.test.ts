import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CanonicalJsonError, canonicalJson, checksum } from '@/lib/contract/canonical-json';

describe('canonicalJson', () => {
  it('sorts keys recursively and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: true, y: null }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[1,{"y":null,"z":true}]},"b":1}',
    );
  });

  it('gives the same text for the same data in any key order', () => {
    const one = { sessions: { idle: 5, life: 60 }, branding: { name: 'Acme', colour: '#fff' } };
    const two = { branding: { colour: '#fff', name: 'Acme' }, sessions: { life: 60, idle: 5 } };
    expect(canonicalJson(one)).toBe(canonicalJson(two));
    expect(checksum(one)).toBe(checksum(two));
  });

  it('keeps array order, nested arrays included', () => {
    expect(canonicalJson([[3, 1], [2]])).toBe('[[3,1],[2]]');
    expect(checksum({ a: [1, 2] })).not.toBe(checksum({ a: [2, 1] }));
  });

  it('sorts keys by UTF-16 code units, as RFC 8785 does', () => {
    expect(canonicalJson({ b: 1, B: 2, é: 3, a: 4, '10': 5, '9': 6 })).toBe(
      '{"10":5,"9":6,"B":2,"a":4,"b":1,"é":3}',
    );
  });

  it('writes strings and numbers as JSON.stringify does', () => {
    expect(canonicalJson({ s: 'quote " slash \\ line\n', n: [1.5, -0, 1e21, 0.1] })).toBe(
      '{"n":[1.5,0,1e+21,0.1],"s":"quote \\" slash \\\\ line\\n"}',
    );
  });

  it('accepts a value shared by two fields (not a cycle)', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });

  it.each([
    ['undefined', { a: { b: undefined } }, 'canonicalJson: undefined is not JSON at a.b'],
    ['undefined in a list', [1, undefined], 'canonicalJson: undefined is not JSON at 1'],
    ['a function', { f: () => 1 }, 'canonicalJson: function is not JSON at f'],
    ['NaN', { n: Number.NaN }, 'canonicalJson: NaN is not a JSON number at n'],
    ['Infinity', [Infinity], 'canonicalJson: Infinity is not a JSON number at 0'],
    ['a bigint', { n: 1n }, 'canonicalJson: bigint is not JSON at n'],
    ['a Date', { at: new Date(0) }, 'canonicalJson: Date is not plain JSON data at at'],
    ['undefined at the root', undefined, 'canonicalJson: undefined is not JSON at (root)'],
  ])('rejects %s', (_name, value, message) => {
    expect(() => canonicalJson(value)).toThrow(CanonicalJsonError);
    expect(() => canonicalJson(value)).toThrow(message);
  });

  it('rejects a cycle', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow('canonicalJson: circular reference at self');
  });
});

describe('checksum', () => {
  it('is the sha256 hex of the canonical JSON (a fixed vector for other services)', () => {
    // printf '%s' '{"a":[3,1,2],"b":{"c":"é","d":null},"e":true}' | sha256sum
    const value = { e: true, b: { d: null, c: 'é' }, a: [3, 1, 2] };
    expect(canonicalJson(value)).toBe('{"a":[3,1,2],"b":{"c":"é","d":null},"e":true}');
    expect(checksum(value)).toBe(
      '1abd1046892f4bd06f6a322755592114d149cae31b20bc14416c2f0fe4313b85',
    );
  });

  it('hashes the UTF-8 bytes', () => {
    const text = canonicalJson({ name: 'Zoë 🚀' });
    expect(checksum({ name: 'Zoë 🚀' })).toBe(
      createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex'),
    );
  });
});
