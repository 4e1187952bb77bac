import 'server-only';
import { canonicalJson } from '@/lib/contract/canonical-json';
import { sealSecrets, type SealingKey } from '@/lib/contract/secret-envelope';
import { env } from '@/lib/env';
import { loadCacheSealingKey } from '@/lib/env-spec';
import { isSecretPath } from '@/lib/secrets';

let sealingKey: SealingKey | null | undefined;

/** The key pushes seal secrets with (CACHE_SECRET_KEY_ID), or null when sealing is off. */
export function cacheSealingKey(): SealingKey | null {
  if (sealingKey === undefined) sealingKey = loadCacheSealingKey(env);
  return sealingKey;
}

/**
 * The `body` of a cache entry: the config's canonical JSON with its client and webhook secrets
 * sealed for this app and version (lib/contract/secret-envelope.ts), or plain when `key` is null.
 */
export function cacheBody(
  data: unknown,
  context: { appId: string; version: number },
  key: SealingKey | null = cacheSealingKey(),
): string {
  return canonicalJson(key ? sealSecrets(data, key, context, isSecretPath) : data);
}
