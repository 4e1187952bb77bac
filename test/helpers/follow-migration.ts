import { Redis } from 'ioredis';
import { connectionAs } from '@/devstack/endpoints';
import {
  createFollowingConfigClient,
  type DeploymentEndpoint,
  type FollowingConfigClient,
} from '@/lib/config-client/following-client';
import { ACTIVE_DEPLOYMENT_KEY } from '@/lib/contract/deployment-marker';
import { FLEET_INDEX_KEY, presenceKey } from '@/lib/contract/report-layout';
import { getCacheState } from '@/lib/db/cache-state';
import { backfillPass } from '@/lib/deployments/backfill';
import { takeStep } from '@/lib/deployments/migration-steps';
import { verifyPass } from '@/lib/deployments/verify';
import type { MigrationStep } from '@/lib/model/migration-gates';
import { deploymentAs, urlsOf, type DeploymentKind } from './cluster-deployment';
import { waitFor } from './devstack';

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
export function follower(kinds: DeploymentKind[], apps: string[]): FollowingConfigClient<unknown> {
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
export function servedVersions(client: FollowingConfigClient<unknown>): Map<string, number[]> {
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
 * Removes what a migration leaves in the deployments' primaries (the marker, fleet presence):
 * the cluster and the int stack outlive the suite, and a marker's epoch would outrank the next
 * suite's.
 */
export async function clearMigrationKeys(
  kinds: readonly DeploymentKind[],
  instanceIds: readonly string[],
): Promise<void> {
  for (const kind of kinds) {
    const admin = deploymentAs('admin', kind);
    try {
      // One key per DEL: on a cluster they sit in different slots.
      for (const key of [ACTIVE_DEPLOYMENT_KEY, FLEET_INDEX_KEY, ...instanceIds.map(presenceKey)])
        await admin.del(key);
    } finally {
      admin.disconnect();
    }
  }
}
