import { afterAll, describe, expect, it, vi } from 'vitest';

// The cluster is declared before any module that reads the env is imported.
const cluster = await vi.hoisted(async () => {
  const { declareClusterDeployment } = await import('@/test/helpers/cluster-deployment');
  return declareClusterDeployment();
});

import { randomBytes } from 'node:crypto';
import { closeRedis } from '@/lib/redis/clients';
import { limiterKeys } from '@/lib/session/sign-in-limits';
import { reserveSignInAttempt, signInSucceeded } from '@/lib/session/sign-in-limiter';
import { clusterKind, deploymentAs } from '@/test/helpers/cluster-deployment';

/**
 * The sign-in limits on a Redis Cluster primary: their scripts touch five keys, which the
 * `{signin}` hash tag keeps in one slot. The limiter falls back to process memory when Redis
 * refuses, so this checks the counters really are in the cluster (a cross-slot script would
 * have been refused and hidden by that fallback).
 */

const admin = deploymentAs('admin', clusterKind(cluster));
const email = `limits-${randomBytes(4).toString('hex')}@example.test`;
const ip = '203.0.113.7';

afterAll(async () => {
  await Promise.all(Object.values(limiterKeys(email, ip)).map((key) => admin.del(key)));
  admin.disconnect();
  await closeRedis({ subscribers: true });
});

describe('sign-in limits on a cluster primary', () => {
  it('counts attempts in the cluster and marks a known address on success', async () => {
    const keys = limiterKeys(email, ip);
    expect(await reserveSignInAttempt(email, ip)).toEqual({ ok: true });
    const counted = [keys.account, keys.ip, keys.pair].map((key) => admin.exists(key));
    expect(await Promise.all(counted)).toEqual([1, 1, 1]);
    await signInSucceeded(email, ip);
    expect(await admin.exists(keys.known)).toBe(1);
  });
});
