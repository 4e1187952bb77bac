import 'server-only';
import { readFileSync } from 'node:fs';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { nodeKey, readFromRegion, SLOTS_REFRESH_INTERVAL_MS } from '@/lib/contract/cluster-routing';
import { env } from '@/lib/env';
import { findDeployment, listRegions, regionsOf, type Region } from '@/lib/regions';

/**
 * Every Redis connection the server side opens comes from here, and closeRedis() ends them all
 * (the worker, scripts and tests call it on shutdown). Pools are cached on globalThis: `next dev`
 * re-evaluates modules on every change, and would otherwise leak a connection per reload. A
 * region name repeats across cache deployments, so pools are keyed by deployment and region.
 *
 * - command: one connection per region for ordinary commands, each with a timeout;
 * - bulk: one per region for large pipelines (fleet scans), whose last replies can take longer
 *   than the command timeout on a busy host without the region being any less healthy;
 * - subscribers: dedicated SUBSCRIBE connections, opened by whoever listens and closed with it.
 */
/** A connection to one Redis, or to a Redis Cluster deployment's region (lib/regions.ts). */
export type RedisClient = Redis | Cluster;

interface Pools {
  command: Map<string, RedisClient>;
  bulk: Map<string, RedisClient>;
  subscribers: Set<Redis>;
}

const globalForRedis = globalThis as unknown as { propagateRedisPools?: Pools };

function pools(): Pools {
  globalForRedis.propagateRedisPools ??= {
    command: new Map(),
    bulk: new Map(),
    subscribers: new Set(),
  };
  return globalForRedis.propagateRedisPools;
}

const poolKey = (region: Region) => `${region.deployment}/${region.name}`;

/**
 * TLS and ACL credentials come from the environment (the deployment's declaration), never a form.
 * Certificates are always verified: against the declared CA file, else the system's CAs.
 */
export function connectionOptions(region: Pick<Region, 'connection'>): RedisOptions {
  const { tls, tlsCaFile, tlsServername, username, password } = region.connection;
  return {
    ...(tls && {
      tls: {
        ...(tlsCaFile && { ca: readFileSync(tlsCaFile) }),
        ...(tlsServername && { servername: tlsServername }),
      },
    }),
    ...(username !== undefined && { username }),
    ...(password !== undefined && { password }),
  };
}

/**
 * A command connection to a region's Redis. Every command carries a timeout, also while queued
 * for a reconnect: a status read must report "unreachable", not hang.
 */
export function redisFor(region: Region): RedisClient {
  return pooled(region, 'command');
}

/** The connection for large pipelines; the caller bounds the whole read with its own timeout. */
export function bulkRedisFor(region: Region): RedisClient {
  return pooled(region, 'bulk');
}

type Purpose = 'command' | 'bulk';

/** The region's connection of the pool for `purpose`, opened on first use. */
function pooled(region: Region, purpose: Purpose): RedisClient {
  const pool = pools()[purpose];
  let client = pool.get(poolKey(region));
  if (!client) {
    client = region.cluster ? clusterFor(region, purpose) : plainFor(region, purpose);
    pool.set(poolKey(region), client);
  }
  return client;
}

/** Options of a connection to one node, alone or in a cluster (bulk ones have no command timeout). */
function nodeOptions(region: Region, purpose: Purpose): RedisOptions {
  return {
    ...connectionOptions(region),
    connectionName: `propagate-${purpose === 'bulk' ? 'bulk-' : ''}${region.role}`,
    connectTimeout: env.REGION_TIMEOUT_MS,
    ...(purpose === 'command' && { commandTimeout: Math.max(env.REGION_TIMEOUT_MS, 1_000) }),
    maxRetriesPerRequest: 1,
  };
}

function plainFor(region: Region, purpose: Purpose): Redis {
  const client = new Redis(region.url, {
    ...nodeOptions(region, purpose),
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  // Errors surface through the commands that fail; the emitter must not crash the process.
  client.on('error', () => {});
  return client;
}

/**
 * A region of a Redis Cluster deployment. The primary's client writes to the masters; a replica
 * region's client reads each key from the region's own node for its slot (READONLY), found by
 * the address the cluster announces (lib/contract/cluster-routing.ts).
 */
function clusterFor(region: Region, purpose: Purpose): Cluster {
  const urls = [region.url, ...(region.nodes ?? [])];
  const seeds = urls.map((url) => {
    const [host = '', port] = nodeKey(url).split(/:(?=\d+$)/);
    return { host, port: Number(port) };
  });
  const client = new Cluster(seeds, {
    scaleReads: region.role === 'primary' ? 'master' : readFromRegion(urls),
    clusterRetryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    slotsRefreshTimeout: Math.max(env.REGION_TIMEOUT_MS, 1_000),
    slotsRefreshInterval: SLOTS_REFRESH_INTERVAL_MS,
    // No auto-pipelining: ioredis's cluster auto-pipeline throws an uncaught TypeError
    // (`results[i] is not iterable`) when a pipeline ends with fewer replies than commands, as
    // while a connection closes. Commands are written without waiting for replies anyway, so a
    // scan's HMGETs to one node still share its round trip.
    enableAutoPipelining: false,
    ...(region.connection.tls && { dnsLookup: (address, done) => done(null, address) }),
    redisOptions: nodeOptions(region, purpose),
  });
  client.on('error', () => {});
  return client;
}

/**
 * A dedicated connection for SUBSCRIBE (a subscribed connection can run nothing else). It keeps
 * reconnecting, gently, for as long as the region is down; ioredis re-subscribes after each
 * reconnect. Close it with closeSubscriber (or closeRedis at shutdown).
 */
export function openSubscriber(region: Region, purpose: string): Redis {
  // In a cluster every node hears every PUBLISH (the bus broadcasts it): one node will do.
  const client = new Redis(region.url, {
    ...connectionOptions(region),
    connectionName: `propagate-${purpose}-${region.name}`,
    retryStrategy: (attempt) => Math.min(attempt * 250, 2_000),
    maxRetriesPerRequest: null,
    autoResubscribe: true,
  });
  pools().subscribers.add(client);
  return client;
}

export async function closeSubscriber(client: Redis): Promise<void> {
  pools().subscribers.delete(client);
  await client.quit().catch(() => client.disconnect());
}

export function primaryRedis(): RedisClient {
  const primary = listRegions().find((r) => r.role === 'primary');
  if (!primary) throw new Error('no primary region configured');
  return redisFor(primary);
}

/** The command connection to a deployment's primary. */
export function deploymentPrimaryRedis(deployment: string): RedisClient {
  const d = findDeployment(deployment);
  if (!d) throw new Error(`cache deployment "${deployment}" is not declared in this environment`);
  const [primary] = regionsOf(d);
  if (!primary) throw new Error(`cache deployment "${deployment}" has no primary`);
  return redisFor(primary);
}

/**
 * Ends the command and bulk connections (they reopen lazily on next use). Subscribers belong to
 * their listener, which closes them when it stops; `{ subscribers: true }` ends those too, for
 * process exit.
 */
export async function closeRedis({ subscribers = false } = {}): Promise<void> {
  const p = pools();
  const clients = [...p.command.values(), ...p.bulk.values()];
  p.command.clear();
  p.bulk.clear();
  if (subscribers) {
    clients.push(...p.subscribers);
    p.subscribers.clear();
  }
  await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
}
