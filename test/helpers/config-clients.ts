import { connectionAs, endpoints } from '../../devstack/endpoints';
import { createConfigClient } from '../../lib/config-client';
import type { ConfigClient, ConfigClientOptions } from '../../lib/config-client';

/** Where a config client reads: one region's replica. */
interface Replica {
  region: string;
  url: string;
}

/** A config client reading `replica` as a service in that region would (the stack's reader user). */
export function readerClient(
  replica: Replica,
  options: Omit<ConfigClientOptions, 'redisUrl' | 'connection' | 'region'> = {},
): ConfigClient {
  return createConfigClient({
    redisUrl: replica.url,
    connection: connectionAs('reader', replica.url),
    region: replica.region,
    ...options,
  });
}

/** Reports go to the primary as the reporter user, which may write reports only. */
export function reportToPrimary(intervalMs: number): NonNullable<ConfigClientOptions['report']> {
  const { primary } = endpoints();
  return { redisUrl: primary.url, connection: connectionAs('reporter', primary.url), intervalMs };
}
