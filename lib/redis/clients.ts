import 'server-only';
import { Redis } from 'ioredis';
import { env } from '@/lib/env';
import { listRegions, type Region } from '@/lib/regions';

// One connection per region, cached on globalThis (hot reload would otherwise leak them).
const globalForRedis = globalThis as unknown as { propagateRedis?: Map<string, Redis> };

/**
 * A command connection to a region's Redis. Every command carries a timeout, also while queued
 * for a reconnect: a status read must report "unreachable", not hang.
 */
export function redisFor(region: Region): Redis {
  globalForRedis.propagateRedis ??= new Map();
  let client = globalForRedis.propagateRedis.get(region.name);
  if (!client) {
    client = new Redis(region.url, {
      connectionName: `propagate-${region.role}`,
      connectTimeout: env.REGION_TIMEOUT_MS,
      commandTimeout: Math.max(env.REGION_TIMEOUT_MS, 1_000),
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
      lazyConnect: false,
    });
    // Errors surface through the commands that fail; the emitter must not crash the process.
    client.on('error', () => {});
    globalForRedis.propagateRedis.set(region.name, client);
  }
  return client;
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
