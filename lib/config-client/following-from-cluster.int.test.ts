import { describe, expect, it, vi } from 'vitest';

// A three-shard cluster (`cluster`, declared first: the active deployment) and the plain int stack
// (`home`) are declared, with a short verify window, before anything reads the env.
const kinds = await vi.hoisted(async () => {
  process.env.MIGRATION_VERIFY_WINDOW_MS = '1000';
  const { declarePlainAndCluster } = await import('@/test/helpers/cluster-deployment');
  return declarePlainAndCluster({ first: 'cluster' });
});

import { ACTIVE_DEPLOYMENT_KEY } from '@/lib/contract/deployment-marker';
import { readInstanceReports } from '@/lib/instances/read-reports';
import { deploymentPrimaryRedis } from '@/lib/redis/clients';
import { waitFor } from '@/test/helpers/devstack';
import {
  backfillDone,
  cleanWindow,
  connectionsTo,
  followerSuite,
  startWhenReady,
  step,
} from '@/test/helpers/follow-migration';

/**
 * The reverse of following-to-cluster.int.test.ts: the cache starts on a Redis Cluster and
 * migrates to the plain deployment. A following client in eu-west-1 whose home is the cluster
 * (its region's cluster nodes) serves from it, switches to the plain replica at the cut-over, and
 * closes every connection to the cluster once the migration is finished.
 */

const [plain, cluster] = kinds as [(typeof kinds)[0], (typeof kinds)[0]];
const suite = followerSuite([cluster, plain], 'cr');
const { apps, saveAll, servesHeads, on } = suite;

describe('a following client through a migration from a cluster to a plain deployment', () => {
  it('serves from the cluster it starts on, and reaches the plain deployment too', async () => {
    expect(suite.client.source()).toMatchObject({ deployment: 'cluster', following: { epoch: 0 } });
    await waitFor(
      () => suite.client.source().reaches.cluster && suite.client.source().reaches.home,
      15_000,
      'both deployments reachable',
    );
    expect(servesHeads()).toBe(true);
    // The apps spread over the cluster's shards; each one's report reached its slot's master.
    const primary = deploymentPrimaryRedis('cluster');
    for (const app of apps)
      await waitFor(
        async () =>
          (await readInstanceReports(primary, app._id)).some(
            (r) => r.instanceId === suite.client.instanceId && r.deployment === 'cluster',
          ),
        15_000,
        `a report of ${app._id} in the cluster`,
      );
  });

  it('backfills the plain deployment from MongoDB and cuts over; the marker reaches both', async () => {
    expect(await step('plan', 'home')).toMatchObject({ status: 'done' });
    await startWhenReady();
    await backfillDone();
    await cleanWindow();
    expect(await step('cutOver')).toMatchObject({
      status: 'done',
      state: { active: 'home', epoch: 1 },
    });
    for (const d of ['cluster', 'home'])
      expect(await deploymentPrimaryRedis(d).hgetall(ACTIVE_DEPLOYMENT_KEY)).toMatchObject({
        deployment: 'home',
        epoch: '1',
      });
  });

  it('switches to the plain replica and serves later saves from it', async () => {
    await waitFor(on('home'), 20_000, 'the switch to home');
    await saveAll();
    await waitFor(servesHeads, 20_000, 'every app at v2 from home');
    for (const app of apps) expect(suite.served.get(app._id)).toEqual([1, 2]);
  });

  it('finishing retires the cluster: every connection to its nodes closed', async () => {
    expect(await step('finish')).toMatchObject({ status: 'done', state: { active: 'home' } });
    await waitFor(
      () => suite.client.source().retired.includes('cluster'),
      15_000,
      'the cluster retired by the client',
    );
    for (const region of ['eu-west-1', 'us-east-1'])
      await waitFor(
        async () => (await connectionsTo(cluster, region, suite.client.instanceId)) === 0,
        15_000,
        `every connection to the cluster's nodes in ${region} closed`,
      );
    expect(Object.keys(suite.client.source().reaches)).toEqual(['home']);
    await saveAll();
    await waitFor(servesHeads, 20_000, 'every app at v3 from home alone');
    for (const app of apps) expect(suite.served.get(app._id)).toEqual([1, 2, 3]);
  });
});
