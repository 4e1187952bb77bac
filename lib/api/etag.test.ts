import { describe, expect, it } from 'vitest';
import { matchesIfNoneMatch, parseIfMatch, versionEtag } from '@/lib/api/etag';

describe('parseIfMatch', () => {
  it.each([
    [null, { kind: 'missing' }],
    ['', { kind: 'missing' }],
    ['"v7"', { kind: 'version', version: 7 }],
    [' "v0" ', { kind: 'version', version: 0 }],
    [versionEtag(123), { kind: 'version', version: 123 }],
  ])('%j → %j', (header, expected) => {
    expect(parseIfMatch(header)).toEqual(expected);
  });

  it.each([
    '*',
    '"v1", "v2"',
    'W/"v7"',
    'v7',
    '"7"',
    '"v07"',
    '"v-1"',
    '"v1e3"',
    '"v99999999999999999"',
  ])('refuses %j with a reason', (header) => {
    const parsed = parseIfMatch(header);
    expect(parsed.kind).toBe('invalid');
    expect(parsed.kind === 'invalid' && parsed.reason).toMatch(/If-Match/);
  });
});

describe('matchesIfNoneMatch', () => {
  it('matches the tag in a list, weak or strong, and *', () => {
    expect(matchesIfNoneMatch('"v3"', '"v3"')).toBe(true);
    expect(matchesIfNoneMatch('"v2", W/"v3"', '"v3"')).toBe(true);
    expect(matchesIfNoneMatch('*', '"v3"')).toBe(true);
    expect(matchesIfNoneMatch('"v2"', '"v3"')).toBe(false);
    expect(matchesIfNoneMatch(null, '"v3"')).toBe(false);
  });
});
