import { describe, expect, it } from 'vitest';
import { metaFromHeaders } from './request-meta';

describe('request meta', () => {
  it.each([
    ['a single address', '198.51.100.4', '198.51.100.4'],
    ['a client-supplied chain: the entry our proxy added', '6.6.6.6, 198.51.100.4', '198.51.100.4'],
    ['spaces around entries', ' 6.6.6.6 ,  198.51.100.4 ', '198.51.100.4'],
  ])('takes the rightmost X-Forwarded-For entry: %s', (_, header, ip) => {
    expect(metaFromHeaders(new Headers({ 'x-forwarded-for': header })).ip).toBe(ip);
  });

  it('falls back to X-Real-IP, then to unknown', () => {
    expect(metaFromHeaders(new Headers({ 'x-real-ip': '203.0.113.9' })).ip).toBe('203.0.113.9');
    expect(metaFromHeaders(new Headers()).ip).toBeNull();
  });

  it('keeps user agents short', () => {
    const meta = metaFromHeaders(new Headers({ 'user-agent': 'x'.repeat(1000) }));
    expect(meta.userAgent).toHaveLength(300);
  });
});
