/**
 * A service's keyring for sealed secrets from its environment: `CACHE_SECRET_KEYS`
 * (`kid:base64key,kid:base64key`, the same variable Propagate's writer reads). Unset, the client
 * holds no key and refuses entries with sealed secrets. Takes the environment as an argument.
 */
import { parseSecretKeys, type SecretKeys } from '../contract/secret-envelope';

export const SECRET_KEYS_VARIABLE = 'CACHE_SECRET_KEYS';

export function secretKeysFromEnv(env: Record<string, string | undefined>): SecretKeys {
  const text = env[SECRET_KEYS_VARIABLE]?.trim();
  if (!text) return new Map();
  try {
    return parseSecretKeys(text);
  } catch (error) {
    throw new TypeError(`${SECRET_KEYS_VARIABLE}: ${(error as Error).message}`);
  }
}
