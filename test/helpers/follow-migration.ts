import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect } from 'vitest';
import { connectionAs } from '@/devstack/endpoints';
import {
  createFollowingConfigClient,
  type DeploymentEndpoint,
  type FollowingConfigClient,
} from '@/lib/config-client/following-client';
import { configKey } from '@/lib/contract/cache-layout';
import { ACTIVE_DEPLOYMENT_KEY } from '@/lib/contract/deployment-marker';
import { FLEET_INDEX_KEY, presenceKey } from '@/lib/contract/report-layout';
import { getCacheState } from '@/lib/db/cache-state';
import { ensureIndexes, type AppDoc } from '@/lib/db/collections';
import { getDb } from '@/lib/db/mongo';
import { backfillPass } from '@/lib/deployments/backfill';
import { takeStep } from '@/lib/deployments/migration-steps';
import { verifyPass } from '@/lib/deployments/verify';
import type { MigrationStep } from '@/lib/model/migration-gates';
import { deploymentAs, urlsOf, type DeploymentKind } from './cluster-deployment';
import { waitFor } from './devstack';
import { createPushedApp, removeApps, saveNextVersion } from './propagation';
import { closeStores } from './stores';

/**
 * For integration tests of a migration between the plain devstack deployment and a Redis Cluster
 * (cluster-deployment.ts), driven as an operator and the worker drive it, with a following config
 * client in eu-west-1 that has an endpoint in both. Set MIGRATION_VERIFY_WINDOW_MS (1 s) first.
 */

const operator = { id: 'u-olga', name: 'Olga' };

/** One operator step on the state as it is now. */
export async function step(step: MigrationStep, target?: string) {
  const state = await getCacheState();
  return takeStep({
    step,
    expectRevision: state.revision,
    by: operator,
    ...(target && { target }),
    audit: () => Promise.resolve(),
  });
}

/**
 * The start step, taken once its preflight passes. The preflight wants every region of the target
 * answering with its link up, and on the cluster the suites share, a region an earlier suite
 * faulted can still be re-syncing (one full run was refused here in 89 ms and never retried).
 * The refusals seen are logged.
 */
export async function startWhenReady(): Promise<void> {
  const refusals = new Set<string>();
  try {
    await waitFor(
      async () => {
        const result = await step('start');
        if (result.status !== 'done') refusals.add(result.message);
        return result.status === 'done';
      },
      30_000,
      'the start step',
      250,
    );
  } finally {
    if (refusals.size > 0)
      console.log(`[migration] start refused first: ${[...refusals].join(' | ')}`);
  }
}

/** The worker's backfill passes until the copy to the target is done. */
export const backfillDone = () =>
  waitFor(
    async () => (await backfillPass({ batch: 10 }))?.finishedAt,
    60_000,
    'the backfill to finish',
    100,
  );

/** The worker's verify passes until the diff has been clean for longer than the 1 s window. */
export const cleanWindow = () =>
  waitFor(
    async () => {
      const v = await verifyPass();
      return v?.cleanSince && Date.now() - v.cleanSince.getTime() > 1_100;
    },
    60_000,
    'a clean verify window',
    250,
  );

/** A deployment as a client in `region` is given it: its nodes there, reports to the primary. */
export function endpointIn(kind: DeploymentKind, region: string): DeploymentEndpoint {
  const [url, ...nodes] = urlsOf(kind, region);
  const [primary] = urlsOf(kind, 'us-east-1');
  if (!url || !primary) throw new Error(`${kind.name} has no node in ${region}`);
  return {
    name: kind.name,
    redisUrl: url,
    ...(kind.kind === 'cluster' && { cluster: { nodes } }),
    reportUrl: primary,
  };
}

/** A following client in eu-west-1 holding `apps`, home being the first kind; it reports. */
function follower(kinds: DeploymentKind[], apps: string[]): FollowingConfigClient<unknown> {
  const deployments = kinds.map((k) => endpointIn(k, 'eu-west-1'));
  const [home] = deployments;
  if (!home?.reportUrl) throw new Error('no deployment');
  return createFollowingConfigClient({
    region: 'eu-west-1',
    deployments,
    // One set of users in every deployment (the cluster runs with the int stack's).
    connection: connectionAs('reader', home.redisUrl),
    apps,
    markerCheckIntervalMs: 200,
    stampCheckIntervalMs: 500,
    report: { intervalMs: 300, connection: connectionAs('reporter', home.reportUrl) },
  });
}

/** The versions a client serves, in the order it swapped them in, per app. */
function servedVersions(client: FollowingConfigClient<unknown>): Map<string, number[]> {
  const served = new Map<string, number[]>();
  client.onChange((change) => {
    const list = served.get(change.appId) ?? [];
    list.push(change.current?.version ?? -1);
    served.set(change.appId, list);
  });
  return served;
}

/** Connections a client holds open to any of a deployment's nodes in a region. */
export async function connectionsTo(
  kind: DeploymentKind,
  region: string,
  instanceId: string,
): Promise<number> {
  let count = 0;
  for (const url of urlsOf(kind, region)) {
    const node = new Redis(url, { maxRetriesPerRequest: 1, ...connectionAs('admin', url) });
    try {
      const list = (await node.call('CLIENT', 'LIST')) as string;
      count += list.split('\n').filter((line) => line.includes(instanceId)).length;
    } finally {
      node.disconnect();
    }
  }
  return count;
}

/**
 * Removes what a migration leaves in the deployments' primaries (the marker, fleet presence, the
 * apps' entries):
 * the cluster and the int stack outlive the suite, and a marker's epoch would outrank the next
 * suite's.
 */
export async function clearMigrationKeys(
  kinds: readonly DeploymentKind[],
  { instanceIds = [], appIds = [] }: { instanceIds?: string[]; appIds?: string[] } = {},
): Promise<void> {
  const keys = [
    ACTIVE_DEPLOYMENT_KEY,
    FLEET_INDEX_KEY,
    ...instanceIds.map(presenceKey),
    // A migration copied the apps' entries to both deployments.
    ...appIds.map(configKey),
  ];
  for (const kind of kinds) {
    const admin = deploymentAs('admin', kind);
    try {
      // One key per DEL: on a cluster they sit in different slots.
      for (const key of keys) await admin.del(key);
    } finally {
      admin.disconnect();
    }
  }
}

/**
 * A suite's apps and its following client: before all, apps created and pushed to the active
 * deployment (enough to land on every shard of a cluster) and a client in eu-west-1 that holds
 * them, `order[0]` being its home; after all, everything removed from both deployments and
 * MongoDB (the suite's own database).
 */
export function followerSuite(order: DeploymentKind[], prefix: string) {
  const created: string[] = [];
  const apps: AppDoc[] = [];
  /** Every app's head version in MongoDB: what the client serves once it caught up. */
  const heads = new Map<string, number>();
  const suite = {
    apps,
    client: undefined as unknown as FollowingConfigClient<unknown>,
    /** The versions the client swapped in, per app, in order. */
    served: new Map<string, number[]>(),
    /** A save of every app, as the action saves (committed, then pushed to every write target). */
    saveAll: async (): Promise<void> => {
      for (const app of apps) {
        const { doc, pushed } = await saveNextVersion(app);
        expect(pushed).toBe(true);
        heads.set(app._id, doc.version);
      }
    },
    servesHeads: () => apps.every((a) => suite.client.peek(a._id)?.version === heads.get(a._id)),
    on: (deployment: string) => () => suite.client.source().deployment === deployment,
  };
  beforeAll(async () => {
    await clearMigrationKeys(order);
    await ensureIndexes();
    for (let i = 0; i < 12; i += 1)
      apps.push(await createPushedApp(`t-${prefix}`, created, prefix));
    for (const app of apps) heads.set(app._id, 1);
    suite.client = follower(
      order,
      apps.map((a) => a._id),
    );
    suite.served = servedVersions(suite.client);
    await Promise.all(apps.map((a) => suite.client.ready(a._id)));
  }, 120_000);
  afterAll(async () => {
    await suite.client?.close();
    await removeApps(created).catch(() => undefined);
    await clearMigrationKeys(order, {
      instanceIds: suite.client ? [suite.client.instanceId] : [],
      appIds: created,
    });
    await (await getDb()).dropDatabase();
    await closeStores();
  });
  return suite;
}
