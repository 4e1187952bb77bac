import { connectionFromEnv } from '../lib/config-client/connection-env';
import type { RedisConnection } from '../lib/config-client/types';
import type { RedisUser } from './acl';

/**
 * The Redis endpoints of a devstack as its env record states them (REDIS_PRIMARY_REGION,
 * REDIS_PRIMARY_URL, REDIS_REPLICAS), for programs beside the app: the example fleet, the
 * benchmarks and the integration tests; and the users they sign in as (acl.ts).
 */
export interface RegionEndpoints {
  primary: { region: string; url: string };
  replicas: { region: string; url: string }[];
}

/** The endpoints from the env contract, parsed. */
export function endpoints(env: Record<string, string | undefined> = process.env): RegionEndpoints {
  const primaryUrl = env.REDIS_PRIMARY_URL;
  if (!primaryUrl) throw new Error('REDIS_PRIMARY_URL is not set');
  const replicas = (env.REDIS_REPLICAS ?? '')
    .split(',')
    .filter(Boolean)
    .map((entry) => {
      const eq = entry.indexOf('=');
      return { region: entry.slice(0, eq), url: entry.slice(eq + 1) };
    });
  return {
    primary: { region: env.REDIS_PRIMARY_REGION ?? 'us-east-1', url: primaryUrl },
    replicas,
  };
}

/** The env prefix of each ACL user's credentials in the stack's env file (acl.ts). */
const USER_PREFIX = {
  admin: 'DEVSTACK_REDIS_ADMIN',
  writer: 'REDIS',
  reader: 'CONFIG_READER',
  reporter: 'CONFIG_REPORTER',
} as const;

export type StackUser = keyof typeof USER_PREFIX;

/** Sign-in and TLS settings for one of the stack's users on `url` (config client options). */
export function connectionAs(
  user: StackUser,
  url: string,
  env: Record<string, string | undefined> = process.env,
): RedisConnection {
  return connectionFromEnv(env, USER_PREFIX[user], url);
}

/** The devstack's own user, for the one-shot probes of redis-process.ts. */
export function adminUser(env: Record<string, string | undefined> = process.env): RedisUser {
  const { username = '', password = '' } = connectionAs('admin', 'redis://', env);
  return { username, password };
}
