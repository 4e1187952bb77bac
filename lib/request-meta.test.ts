import { describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.MONGODB_URI ??= 'mongodb://127.0.0.1:1/unit';
  process.env.REDIS_PRIMARY_URL ??= 'redis://127.0.0.1:1';
  process.env.SESSION_SECRET ??= 'x'.repeat(32);
});

import { clientIp, metaFromHeaders } from './request-meta';

const xff = (value: string) => new Headers({ 'x-forwarded-for': value });

describe('client IP', () => {
  it.each([
    ['a single address', '198.51.100.4', 1, '198.51.100.4'],
    [
      'a client-supplied chain: the entry our proxy added',
      '6.6.6.6, 198.51.100.4',
      1,
      '198.51.100.4',
    ],
    ['spaces around entries', ' 6.6.6.6 ,  198.51.100.4 ', 1, '198.51.100.4'],
    [
      'two proxies: the entry the outer one added',
      '6.6.6.6, 198.51.100.4, 10.0.0.2',
      2,
      '198.51.100.4',
    ],
    ['IPv6, lower-cased', '2001:DB8::1', 1, '2001:db8::1'],
    ['an IPv4-mapped IPv6 address', '::ffff:198.51.100.4', 1, '198.51.100.4'],
    // No proxy: Next fills the header with the socket's address only when the client sent none.
    ['no proxy, the address Next filled in', '198.51.100.4', 0, '198.51.100.4'],
  ])('takes the trusted entry: %s', (_, header, hops, ip) => {
    expect(clientIp(xff(header), hops)).toBe(ip);
  });

  it.each([
    ['no proxy, a chain the client made up', '6.6.6.6, 198.51.100.4', 0],
    ['fewer entries than trusted proxies', '198.51.100.4', 2],
    ['not an address', '<script>alert(1)</script>', 1],
    ['an address with a port', '198.51.100.4:443', 1],
    ['empty', '', 1],
    ['far too long', '1'.repeat(500), 1],
  ])('refuses what cannot be trusted: %s', (_, header, hops) => {
    expect(clientIp(xff(header), hops)).toBeNull();
  });

  it('never reads X-Real-IP, which any client can send', () => {
    expect(clientIp(new Headers({ 'x-real-ip': '203.0.113.9' }), 0)).toBeNull();
    expect(clientIp(new Headers({ 'x-real-ip': '203.0.113.9' }), 1)).toBeNull();
  });
});

describe('request meta', () => {
  it('keeps user agents short', () => {
    const meta = metaFromHeaders(new Headers({ 'user-agent': 'x'.repeat(1000) }), 0);
    expect(meta.userAgent).toHaveLength(300);
  });
});
