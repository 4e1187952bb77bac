import { describe, expect, it } from 'vitest';
import { generateToken, hashToken, looksLikeToken } from './api-token';

describe('api tokens', () => {
  it('generates distinct tokens whose hash is what is stored', () => {
    const a = generateToken();
    const b = generateToken();
    expect(a.token).not.toBe(b.token);
    expect(looksLikeToken(a.token)).toBe(true);
    expect(a.hash).toBe(hashToken(a.token));
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.hash).not.toContain(a.token.slice(4));
    expect(a.token.startsWith(a.prefix)).toBe(true);
  });

  it('hashes deterministically and tells tokens apart', () => {
    expect(hashToken('prp_x')).toBe(hashToken('prp_x'));
    expect(hashToken('prp_x')).not.toBe(hashToken('prp_y'));
  });

  it('rejects strings that are not tokens', () => {
    expect(looksLikeToken('Bearer prp_abc')).toBe(false);
    expect(looksLikeToken('prp_' + 'a'.repeat(42))).toBe(false);
  });
});
