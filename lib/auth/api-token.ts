import { createHash, randomBytes } from 'node:crypto';

/** API tokens: `prp_` + 32 random bytes. Only the sha256 is stored, so a leaked table grants nothing. */
export const TOKEN_PREFIX = 'prp_';

export function generateToken(): { token: string; hash: string; prefix: string } {
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token), prefix: token.slice(0, TOKEN_PREFIX.length + 6) };
}

// A plain hash is enough here (unlike passwords): the secret has 256 bits of entropy.
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function looksLikeToken(value: string): boolean {
  return /^prp_[A-Za-z0-9_-]{43}$/.test(value);
}
