/**
 * For `*.int.test.ts`: the devstack the `int` globalSetup started (or reused), and faults bound
 * to it. Nothing here starts processes.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { connectionAs, endpoints, type StackUser } from '../../devstack/endpoints';
import {
  fault as stackFault,
  status,
  type FaultAction,
  type FaultResult,
  type StackStatus,
} from '../../devstack/stack';

export function stackDir(): string {
  const dir = process.env.PROPAGATE_DEVSTACK_DIR;
  if (!dir)
    throw new Error(
      'PROPAGATE_DEVSTACK_DIR is not set: run integration tests with `vitest run --project int`',
    );
  return dir;
}

export function fault(region: string, action: FaultAction, ms?: number): Promise<FaultResult> {
  return stackFault(stackDir(), region, action, ms);
}

export async function stackStatus(): Promise<StackStatus> {
  const current = await status(stackDir());
  if (!current) throw new Error(`no devstack in ${stackDir()}`);
  return current;
}

/** Polls until `condition` returns something truthy and returns it; throws after `timeoutMs`. */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  timeoutMs = 10_000,
  what = 'condition',
  intervalMs = 10,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value;
    } catch (error) {
      lastError = error; // a probe that throws (e.g. a server still down) counts as "not yet"
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Empties the primary as a restart without data would: no product user may FLUSHALL. */
export async function flushPrimary(): Promise<void> {
  const redis = redisAs('admin', endpoints().primary.url);
  try {
    await redis.flushall();
  } finally {
    redis.disconnect();
  }
}

/** A Redis connection as one of the stack's users: `admin` for what no product user may do. */
export function redisAs(user: StackUser, url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1, ...connectionAs(user, url), ...options });
}

/** Closes a suite's connections, politely where the server still answers. */
export async function quitAll(clients: Redis[]): Promise<void> {
  await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
}

/**
 * Connections as the devstack's own admin (its devstack:test:* keys belong to no product user),
 * remembered so that `closeAll` in the suite's afterAll closes every one.
 */
export function adminConnections(): {
  connect: (url: string) => Redis;
  closeAll: () => Promise<void>;
} {
  const opened: Redis[] = [];
  return {
    connect: (url) => {
      const client = redisAs('admin', url);
      opened.push(client);
      return client;
    },
    closeAll: () => quitAll(opened),
  };
}
