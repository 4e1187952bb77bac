/**
 * The config client's command connections, to one Redis or to a Redis Cluster deployment: one
 * recipe for every part (the reads, the marker watch, reports and presence). Like the rest of the
 * config client: free of Next.js, server-only and lib/env.
 */
import { Cluster, Redis } from 'ioredis';
import { nodeKey, readFromRegion, SLOTS_REFRESH_INTERVAL_MS } from '../contract/cluster-routing';
import type { RedisConnection } from './types';

/** A cluster's nodes as `{ host, port }` seeds. */
export function clusterSeeds(urls: readonly string[]): { host: string; port: number }[] {
  return urls.map((url) => {
    const key = nodeKey(url);
    const colon = key.lastIndexOf(':');
    return { host: key.slice(0, colon), port: Number(key.slice(colon + 1)) };
  });
}

export interface ClusterConnectionOptions {
  /** `region`: the region's nodes, each key read from the one serving its slot; `masters`: seeds. */
  urls: readonly string[];
  readFrom: 'region' | 'masters';
  connection: RedisConnection | undefined;
  connectionName: string;
  timeoutMs: number;
  retryStrategy: (attempt: number) => number;
}

/**
 * Commands fail at once while the cluster is not ready instead of queueing (what cannot be done
 * now is redone by the next check or report), and go out without waiting for the replies before
 * them: one round trip per node.
 */
export function connectCluster(options: ClusterConnectionOptions): Cluster {
  const { urls, connection, timeoutMs } = options;
  return new Cluster(clusterSeeds(urls), {
    scaleReads: options.readFrom === 'region' ? readFromRegion(urls) : 'master',
    enableOfflineQueue: false,
    // Not auto-pipelined: ioredis's cluster auto-pipeline threw an uncaught TypeError
    // (`results[i] is not iterable`) when a pipeline ended short of replies as connections
    // closed; in a service that takes the process down (see lib/redis/clients.ts).
    enableAutoPipelining: false,
    clusterRetryStrategy: options.retryStrategy,
    slotsRefreshTimeout: timeoutMs,
    slotsRefreshInterval: SLOTS_REFRESH_INTERVAL_MS,
    // Over TLS, connect to node addresses as given so the certificate check sees the name.
    ...(connection?.tls && { dnsLookup: (address, done) => done(null, address) }),
    redisOptions: {
      ...connection,
      connectionName: options.connectionName,
      connectTimeout: timeoutMs,
      commandTimeout: timeoutMs,
      maxRetriesPerRequest: 0,
    },
  });
}

/**
 * A command connection to one Redis (`urls[0]`), or to a cluster when `cluster` is set. Either
 * way commands fail at once while disconnected instead of queueing, and carry a timeout.
 */
export function connectCommands(
  options: ClusterConnectionOptions & { cluster: boolean },
): Redis | Cluster {
  if (options.cluster) return connectCluster(options);
  const [url = ''] = options.urls;
  return new Redis(url, {
    ...options.connection,
    connectionName: options.connectionName,
    connectTimeout: options.timeoutMs,
    commandTimeout: options.timeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: options.retryStrategy,
  });
}
