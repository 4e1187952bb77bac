import 'server-only';
import { Redis, type RedisOptions } from 'ioredis';
import { env } from '@/lib/env';
import { findDeployment } from '@/lib/deployments/registry';
import { listRegions, regionsOf, type Region } from '@/lib/regions';

// One connection per region, cached on globalThis (hot reload would otherwise leak them).
const globalForRedis = globalThis as unknown as { propagateRedis?: Map<string, Redis> };

/**
 * A command connection to a region's Redis. Every command carries a timeout, also while queued
 * for a reconnect: a status read must report "unreachable", not hang.
 */
export function redisFor(region: Region): Redis {
  globalForRedis.propagateRedis ??= new Map();
  const key = `${region.deployment}/${region.name}`;
  let client = globalForRedis.propagateRedis.get(key);
  if (!client) {
    client = new Redis(region.url, {
      ...connectionOptions(region),
      connectionName: `propagate-${region.role}`,
      connectTimeout: env.REGION_TIMEOUT_MS,
      commandTimeout: Math.max(env.REGION_TIMEOUT_MS, 1_000),
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
      lazyConnect: false,
    });
    // Errors surface through the commands that fail; the emitter must not crash the process.
    client.on('error', () => {});
    globalForRedis.propagateRedis.set(key, client);
  }
  return client;
}

/** TLS and ACL credentials come from the environment (the deployment's declaration), never a form. */
export function connectionOptions(region: Pick<Region, 'connection'>): RedisOptions {
  const { tls, username, password } = region.connection;
  return {
    ...(tls && { tls: {} }),
    ...(username !== undefined && { username }),
    ...(password !== undefined && { password }),
  };
}

export function primaryRedis(): Redis {
  const primary = listRegions().find((r) => r.role === 'primary');
  if (!primary) throw new Error('no primary region configured');
  return redisFor(primary);
}

export async function closeRedis(): Promise<void> {
  const clients = [...(globalForRedis.propagateRedis?.values() ?? [])];
  globalForRedis.propagateRedis?.clear();
  await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
}

/** The command connection to a deployment's primary. */
export function deploymentPrimaryRedis(deployment: string): Redis {
  const d = findDeployment(deployment);
  if (!d) throw new Error(`cache deployment "${deployment}" is not declared in this environment`);
  const [primary] = regionsOf(d);
  if (!primary) throw new Error(`cache deployment "${deployment}" has no primary`);
  return redisFor(primary);
}
