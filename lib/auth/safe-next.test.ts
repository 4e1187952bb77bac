import { describe, expect, it } from 'vitest';
import { safeNext } from './safe-next';

/**
 * Where a browser would go if the server redirected to `next`: the client router and the
 * Location header are both resolved the way `new URL` does (tabs and newlines dropped,
 * backslashes read as slashes), so that is what decides whether the redirect leaves the site.
 */
function landsOn(next: string): string {
  return new URL(safeNext(next), 'https://propagate.example/sign-in').host;
}

describe('safeNext', () => {
  it.each([
    '/apps',
    '/apps/acme-web/history?page=2',
    '/apps/acme-web#regions',
    '/audit?action=token.created&user=a%40b.example',
    '/',
  ])('keeps the same-site path %s', (next) => {
    expect(safeNext(next)).toBe(next);
  });

  // Every form a browser may read as another host; each must fall back to the default page.
  it.each([
    ['protocol-relative', '//evil.example'],
    ['tab then slash', '/\t/evil.example'],
    ['slash, tab, slash', '/\t\t/evil.example'],
    ['newline', '/\n/evil.example'],
    ['carriage return', '/\r/evil.example'],
    ['backslash', '/\\evil.example'],
    ['two backslashes', '\\\\evil.example'],
    ['slash backslash', '/\\/evil.example'],
    ['tab then backslash', '/\t\\evil.example'],
    ['leading space', ' //evil.example'],
    ['absolute URL', 'https://evil.example/'],
    ['scheme-only', 'javascript:alert(1)'],
    ['encoded slashes', '/%2F%2Fevil.example'],
    ['encoded backslash', '/%5Cevil.example'],
    ['encoded tab', '/%09/evil.example'],
    ['double-encoded slash', '/%252F%252Fevil.example'],
    ['null byte', '/\0/evil.example'],
    ['unicode line separator', '/\u2028/evil.example'],
    ['empty', ''],
    ['relative', 'apps'],
  ])('refuses %s', (_, next) => {
    expect(safeNext(next)).toBe('/apps');
    expect(landsOn(next)).toBe('propagate.example');
  });

  it('refuses what is not a string, and very long values', () => {
    expect(safeNext(null)).toBe('/apps');
    expect(safeNext(new Blob(['x']))).toBe('/apps');
    expect(safeNext('/' + 'a'.repeat(5000))).toBe('/apps');
  });
});
