import { describe, expect, it, vi } from 'vitest';

// The plain int stack (`home`, active first) and a three-shard cluster (`cluster`) are declared,
// with a short verify window, before anything reads the env.
const kinds = await vi.hoisted(async () => {
  process.env.MIGRATION_VERIFY_WINDOW_MS = '1000';
  const { declarePlainAndCluster } = await import('@/test/helpers/cluster-deployment');
  return declarePlainAndCluster({ first: 'home' });
});

import { presenceKey } from '@/lib/contract/report-layout';
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
 * A cache migration from the plain deployment to a Redis Cluster, taken as an operator takes it
 * (plan, start, backfill, verify, cut over, roll back, cut over, finish) with a following config
 * client in eu-west-1 given its region's replica in `home` and its region's cluster nodes in
 * `cluster`: it reaches both (so the gates open), switches to reading the cluster at the
 * cut-over, serves every later save from it, reports there, goes back at a rollback, and closes
 * its connections to the plain deployment once the migration is finished.
 */

const [plain, cluster] = kinds as [(typeof kinds)[0], (typeof kinds)[0]];
const suite = followerSuite([plain, cluster], 'cm');
const { apps, saveAll, servesHeads, on } = suite;

describe('a following client through a migration from a plain deployment to a cluster', () => {
  it('reads from the plain deployment first and reaches the cluster through its region nodes', async () => {
    expect(suite.client.source()).toMatchObject({ deployment: 'home', following: { epoch: 0 } });
    await waitFor(
      () => suite.client.source().reaches.cluster && suite.client.source().reaches.home,
      15_000,
      'both deployments reachable',
    );
    expect(servesHeads()).toBe(true);
  });

  it('the gates open for it: plan, backfill into the cluster, verify, cut over', async () => {
    expect(await step('plan', 'cluster')).toMatchObject({ status: 'done' });
    await startWhenReady();
    await backfillDone();
    await cleanWindow();
    // The cut-over gate reads the fleet: this client must say it reaches the cluster.
    const cut = await step('cutOver');
    expect(cut.message).toMatch(/^Services now switch to cluster/);
    expect(cut).toMatchObject({ status: 'done', state: { active: 'cluster', epoch: 1 } });
  });

  it('switches to the cluster and serves the saves made after the cut-over from it', async () => {
    await waitFor(on('cluster'), 20_000, 'the switch to the cluster');
    expect(suite.client.source()).toMatchObject({
      deployment: 'cluster',
      following: { deployment: 'cluster', epoch: 1 },
      switches: 1,
    });
    await saveAll();
    await waitFor(servesHeads, 20_000, 'every app at its new version');
    for (const app of apps) expect(suite.client.get(app._id).version).toBe(2);
  });

  it('reports to the cluster: per-app reports name it, and its presence says where it reads', async () => {
    const primary = deploymentPrimaryRedis('cluster');
    for (const app of apps) {
      const reports = await waitFor(
        async () => {
          const r = await readInstanceReports(primary, app._id);
          return r.find((x) => x.instanceId === suite.client.instanceId && x.version === 2);
        },
        15_000,
        `a report of ${app._id} v2 in the cluster`,
      );
      expect(reports).toMatchObject({ deployment: 'cluster', region: 'eu-west-1' });
    }
    const presence = await waitFor(
      async () => {
        const raw = await primary.get(presenceKey(suite.client.instanceId));
        const parsed = raw ? (JSON.parse(raw) as { deployment: string; epoch: number }) : null;
        return parsed?.deployment === 'cluster' ? parsed : null;
      },
      15_000,
      'the presence in the cluster',
    );
    expect(presence).toMatchObject({ epoch: 1, reaches: { home: true, cluster: true } });
  });

  it('a rollback takes it back to the plain deployment with the newest versions, then forward again', async () => {
    await cleanWindow();
    expect(await step('rollBack')).toMatchObject({ status: 'done', state: { active: 'home' } });
    await waitFor(on('home'), 20_000, 'the switch back to home');
    await saveAll();
    await waitFor(servesHeads, 20_000, 'every app at v3 from home');
    await cleanWindow();
    expect(await step('cutOver')).toMatchObject({ status: 'done', state: { active: 'cluster' } });
    await waitFor(on('cluster'), 20_000, 'the switch to the cluster again');
    await saveAll();
    await waitFor(servesHeads, 20_000, 'every app at v4 from the cluster');
    // Never an older version, never one skipped back: each app went 1, 2, 3, 4 once.
    for (const app of apps) expect(suite.served.get(app._id)).toEqual([1, 2, 3, 4]);
  });

  it('finishing retires the plain deployment: every connection to it closed, the cluster kept', async () => {
    const finished = await step('finish');
    expect(finished).toMatchObject({ status: 'done', state: { active: 'cluster' } });
    await waitFor(
      () => suite.client.source().retired.includes('home'),
      15_000,
      'home retired by the client',
    );
    await waitFor(
      async () => (await connectionsTo(plain, 'eu-west-1', suite.client.instanceId)) === 0,
      15_000,
      'every connection to home closed',
    );
    await waitFor(
      async () => (await connectionsTo(plain, 'us-east-1', suite.client.instanceId)) === 0,
      15_000,
      'the reports to home closed',
    );
    expect(await connectionsTo(cluster, 'eu-west-1', suite.client.instanceId)).toBeGreaterThan(0);
    expect(Object.keys(suite.client.source().reaches)).toEqual(['cluster']);
    await saveAll();
    await waitFor(servesHeads, 20_000, 'every app at v5 from the cluster alone');
    expect(suite.client.source().deployment).toBe('cluster');
  });
});
