import 'server-only';
import { createHmac } from 'node:crypto';
import { env } from '@/lib/env';

/**
 * What people and scripts are shown instead of a config's checksum. The checksum is the plain
 * sha256 of the whole config, secrets included, so anyone who sees it (a viewer, a read token)
 * can test guesses of a weak secret against it offline, with the masked config in hand. A
 * fingerprint is keyed (HMAC-SHA256 with a key only the server holds) and short: it still tells
 * two versions apart and says whether two regions hold the same one, and without the key it
 * confirms no guess. The cache and its compare-and-set keep the raw checksum.
 */
const FINGERPRINT_HEX = 16;

let key: Buffer | undefined;

function fingerprintKey(): Buffer {
  key ??= env.PROPAGATE_FINGERPRINT_KEY
    ? Buffer.from(env.PROPAGATE_FINGERPRINT_KEY)
    : createHmac('sha256', env.SESSION_SECRET).update('propagate config fingerprint').digest();
  return key;
}

export function fingerprint(checksum: string): string {
  return createHmac('sha256', fingerprintKey())
    .update(checksum)
    .digest('hex')
    .slice(0, FINGERPRINT_HEX);
}
