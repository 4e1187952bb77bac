import { describe, expect, it } from 'vitest';
import { historyHref, historyPageQuerySchema, parseHistorySearch } from '@/lib/schemas/history';

describe('parseHistorySearch', () => {
  it.each([
    ['17', { kind: 'version', version: 17 }],
    ['v17', { kind: 'version', version: 17 }],
    [' V 17 ', { kind: 'version', version: 17 }],
    ['4 990', { kind: 'version', version: 4990 }],
    ['4,990', { kind: 'version', version: 4990 }],
    ['0', { kind: 'text', text: '0' }],
    ['rotate secret', { kind: 'text', text: 'rotate secret' }],
    ['v17 fix', { kind: 'text', text: 'v17 fix' }],
    ['a.b*(c', { kind: 'text', text: 'a.b*(c' }],
    ['', undefined],
    ['   ', undefined],
    [undefined, undefined],
  ])('%j → %j', (raw, expected) => {
    expect(parseHistorySearch(raw)).toEqual(expected);
  });
});

describe('the history page URL', () => {
  it('drops broken values instead of failing the page', () => {
    expect(
      historyPageQuerySchema.parse({
        q: 'x'.repeat(500),
        before: 'abc',
        after: ['12', '13'],
        to: '-1',
      }),
    ).toEqual({ q: undefined, before: undefined, after: 12, from: undefined, to: undefined });
  });

  it('round-trips through historyHref', () => {
    expect(historyHref('shop', { q: 'rotate', before: 40 })).toBe(
      '/apps/shop/history?q=rotate&before=40',
    );
    expect(historyHref('shop', { q: '', before: undefined })).toBe('/apps/shop/history');
  });
});
