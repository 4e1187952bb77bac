/**
 * What the migration benchmarks share: apps bulk-inserted into MongoDB, a migration put in place,
 * and following config clients (two per region) that read each deployment's replica there.
 */
import { randomBytes } from 'node:crypto';
import { applyStep, getCacheState } from '../lib/db/cache-state';
import { collections } from '../lib/db/collections';
import { closeMongo, getDb } from '../lib/db/mongo';
import { createFollowingConfigClient } from '../lib/config-client/following-client';
import { secretKeysFromEnv } from '../lib/config-client/secret-keys-env';
import { emptyBackfill, emptyVerify } from '../lib/model/migration';
import { closeRedis } from '../lib/redis/clients';
import { listDeployments, regionsOf } from '../lib/regions';
import { connectionAs } from '../devstack/endpoints';
import { insertBenchApps } from './seed-apps';

const operator = { id: 'bench', name: 'Bench Operator' };
export const BENCH_TENANT = `bench-mig-${randomBytes(3).toString('hex')}`;

/** `n` apps with a committed, pushed version 1 in MongoDB only; their ids, in appId order. */
export async function seedApps(n: number, prefix = 'app'): Promise<string[]> {
  const c = await collections();
  const ids: string[] = [];
  for (let from = 0; from < n; from += 1_000) {
    const batch = Array.from(
      { length: Math.min(1_000, n - from) },
      (_, i) => `${BENCH_TENANT}-${prefix}-${String(from + i).padStart(6, '0')}`,
    );
    await insertBenchApps(c, {
      tenantId: BENCH_TENANT,
      ids: batch,
      description: 'migration benchmark',
    });
    ids.push(...batch);
  }
  return ids;
}

/** A migration home → next already syncing (dual writes on, backfill to run), as `start` leaves it. */
export async function startMigration(): Promise<void> {
  const state = await getCacheState();
  const outcome = await applyStep({
    expectRevision: state.revision,
    action: 'start',
    by: operator,
    set: {
      migration: {
        id: `mig-bench-${randomBytes(3).toString('hex')}`,
        source: state.active,
        target: 'next',
        phase: 'syncing',
        plannedAt: new Date(),
        plannedBy: operator,
        backfill: emptyBackfill(),
        verify: emptyVerify(),
        cutOverAt: null,
        rolledBackAt: null,
        verifyWindowMs: 2_000,
      },
    },
  });
  if (outcome.status !== 'applied') throw new Error('the bench migration raced');
}

/** Back to no migration, `home` active, epoch 0. */
export async function resetCacheState(): Promise<void> {
  const c = await collections();
  await c.cacheState.deleteMany({});
}

/** Two following clients per replica region, each given its region's replica in both deployments. */
export async function startClients(apps: string[], perRegion = 2) {
  const deployments = listDeployments();
  const replicaRegions = [
    ...new Set(
      deployments.flatMap((d) =>
        regionsOf(d)
          .filter((r) => r.role === 'replica')
          .map((r) => r.name),
      ),
    ),
  ];
  const all = replicaRegions.flatMap((region) =>
    Array.from({ length: perRegion }, (_, n) =>
      createFollowingConfigClient({
        region,
        instanceId: `bench-${region}-${n + 1}`,
        deployments: deployments.map((d) => {
          const [primary, ...replicas] = regionsOf(d);
          return {
            name: d.name,
            redisUrl: replicas.find((r) => r.name === region)?.url ?? primary?.url ?? '',
            reportUrl: primary?.url ?? '',
          };
        }),
        apps,
        // The stack's reader and reporter users (one devstack: the same in both deployments).
        connection: connectionAs('reader', deployments[0]?.primary.url ?? ''),
        secretKeys: secretKeysFromEnv(process.env),
        report: {
          intervalMs: 1_000,
          connection: connectionAs('reporter', deployments[0]?.primary.url ?? ''),
        },
      }),
    ),
  );
  await Promise.all(all.flatMap((client) => apps.map((appId) => client.ready(appId))));
  return { all, close: () => Promise.all(all.map((c) => c.close())) };
}

export async function dropDatabase(): Promise<void> {
  await (await getDb()).dropDatabase();
}

export async function closeAll(): Promise<void> {
  await Promise.all([closeRedis({ subscribers: true }), closeMongo()]);
}
