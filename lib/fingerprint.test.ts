import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.MONGODB_URI ??= 'mongodb://127.0.0.1:1/unit';
  process.env.REDIS_PRIMARY_URL ??= 'redis://127.0.0.1:1';
  process.env.SESSION_SECRET ??= 'x'.repeat(32);
});

import { fingerprint } from '@/lib/fingerprint';

describe('config fingerprints', () => {
  const checksum = createHash('sha256')
    .update('{"webhooks":[{"signingSecret":"hunter2"}]}')
    .digest('hex');

  it('are short, stable and tell versions apart', () => {
    expect(fingerprint(checksum)).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprint(checksum)).toBe(fingerprint(checksum));
    expect(fingerprint(checksum)).not.toBe(fingerprint(checksum.replace(/^./, '0')));
  });

  it('cannot be computed from the checksum, or from a guessed config, without the key', () => {
    expect(checksum).not.toContain(fingerprint(checksum));
    const unkeyed = createHash('sha256').update(checksum).digest('hex').slice(0, 16);
    expect(fingerprint(checksum)).not.toBe(unkeyed);
  });
});
