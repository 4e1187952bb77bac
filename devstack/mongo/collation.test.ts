import { describe, expect, it } from 'vitest';
import { CollationKeys, parseCollation } from './collation.js';
import { CommandError } from './errors.js';

const keysFor = (strings: string[], spec: Record<string, unknown>) =>
  new CollationKeys(strings, parseCollation(spec) as Intl.Collator);

describe('collation keys', () => {
  it('gives strings the collation finds equal one key, and orders keys like the collation', () => {
    const keys = keysFor(['b', 'A', 'a', 'á'], { locale: 'en', strength: 2 });
    expect(keys.value('a')).toBe(keys.value('A'));
    expect(keys.value('a')).not.toBe(keys.value('á'));
    expect(String(keys.value('á')) < String(keys.value('b'))).toBe(true);
    const base = keysFor(['a', 'á'], { locale: 'en', strength: 1 });
    expect(base.value('a')).toBe(base.value('á'));
  });

  it('maps compared operands in a filter and leaves type names and flags alone', () => {
    const keys = keysFor(['x', 'X', 'string'], { locale: 'en', strength: 2 });
    const filter = keys.filter({ a: 'X', b: { $in: ['x'], $type: 'string' }, $or: [{ c: 'x' }] });
    expect(filter).toEqual({
      a: keys.value('x'),
      b: { $in: [keys.value('x')], $type: 'string' },
      $or: [{ c: keys.value('x') }],
    });
  });

  it.each([
    [{ a: /x/ }, 'a regular expression with a collation'],
    [{ $expr: { $eq: ['$a', 'x'] } }, '$expr with a collation'],
    [{ a: { $regex: 'x' } }, '$regex with a collation'],
  ])('refuses %j by name', (filter, message) => {
    const keys = keysFor([], { locale: 'en', strength: 2 });
    expect(() => keys.filter(filter)).toThrow(message);
  });

  it('treats the simple locale as no collation and refuses what it cannot honour', () => {
    expect(parseCollation({ locale: 'simple' })).toBeUndefined();
    expect(() => parseCollation({ locale: 'en', strength: 5 })).toThrow(CommandError);
    expect(() => parseCollation({ locale: 'en', backwards: true })).toThrow(/backwards/);
    expect(() => parseCollation({ locale: 'en', frobnicate: 1 })).toThrow(/collation.frobnicate/);
    expect(() => parseCollation({ locale: 'xx_NOPE' })).toThrow(/locale/);
  });
});
