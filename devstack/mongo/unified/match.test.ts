import { Int32, Long } from 'bson';
import { describe, expect, it } from 'vitest';
import { match, sameData } from './match.js';

describe('unified test matching', () => {
  it.each([
    ['root documents may carry extra fields', { x: 1 }, { x: 1, y: 2 }, true, true],
    ['nested documents may not', { x: { y: 1 } }, { x: { y: 1, z: 1 } }, true, false],
    ['a missing field fails', { x: 1, y: 1 }, { x: 1 }, true, false],
    ['numbers compare by value across types', { n: 1 }, { n: new Long(1) }, true, true],
    ['1 is not 1.5', { n: 1 }, { n: 1.5 }, true, false],
    ['arrays need the same length', [1, 2], [1, 2, 3], false, false],
    ['$$unsetOrMatches accepts an absent field', { id: { $$unsetOrMatches: 1 } }, {}, true, true],
    [
      '$$unsetOrMatches checks a present one',
      { id: { $$unsetOrMatches: 1 } },
      { id: 2 },
      true,
      false,
    ],
    ['$$exists false', { w: { $$exists: false } }, { w: 1 }, true, false],
    [
      '$$type long accepts a Long',
      { id: { $$type: ['int', 'long'] } },
      { id: Long.fromString('9007199254740993') },
      true,
      true,
    ],
    ['$$type string refuses a number', { s: { $$type: 'string' } }, { s: 1 }, true, false],
    [
      'Maps are compared as documents',
      { sort: { a: 1 } },
      { sort: new Map([['a', 1]]) },
      true,
      true,
    ],
  ])('%s', (_name, expected, actual, root, ok) => {
    expect(match(expected, actual, { root }) === null).toBe(ok);
  });

  it('outcome data must match exactly, in any key order', () => {
    expect(sameData([{ _id: 1, a: new Int32(2) }], [{ a: 2, _id: 1 }])).toBeNull();
    expect(sameData([{ _id: 1 }], [{ _id: 1, extra: true }])).not.toBeNull();
    expect(sameData([{ _id: 1, q: { $$exists: true } }], [{ _id: 1, q: 2 }])).not.toBeNull();
  });
});
