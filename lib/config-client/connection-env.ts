/**
 * A service's Redis connection settings from its environment, so credentials never sit in a URL
 * or in code: `<PREFIX>_USERNAME` and `<PREFIX>_PASSWORD` (the devstack writes
 * `CONFIG_READER_*` and `CONFIG_REPORTER_*`), and for TLS `REDIS_TLS_CA_FILE` (a PEM file) and
 * `REDIS_TLS_SERVERNAME` (used for `rediss://` URLs only). Takes the environment as an argument.
 */
import { readFileSync } from 'node:fs';
import type { RedisConnection } from './types';

export function connectionFromEnv(
  env: Record<string, string | undefined>,
  prefix: string,
  url: string,
): RedisConnection {
  const username = env[`${prefix}_USERNAME`];
  const password = env[`${prefix}_PASSWORD`];
  const caFile = env.REDIS_TLS_CA_FILE;
  const servername = env.REDIS_TLS_SERVERNAME;
  return {
    ...(username && { username }),
    ...(password && { password }),
    // ioredis turns TLS on for any `tls` option: only rediss:// URLs get one.
    ...(url.startsWith('rediss://') && {
      tls: {
        ...(caFile && { ca: readFileSync(caFile) }),
        ...(servername && { servername }),
      },
    }),
  };
}
