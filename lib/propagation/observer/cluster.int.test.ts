import { describe, expect, it, vi } from 'vitest';

// The cluster is declared before any module that reads the env is imported.
await vi.hoisted(async () => {
  const { declareClusterDeployment } = await import('@/test/helpers/cluster-deployment');
  return declareClusterDeployment();
});

import { waitForConvergence } from '@/lib/propagation/wait';
import { startWorker } from '@/lib/worker/run-worker';
import { waitFor } from '@/test/helpers/devstack';
import { suiteObserver } from '@/test/helpers/observer';
import { createPushedApp, saveNextVersion } from '@/test/helpers/propagation';

/**
 * The status observer when services read from a Redis Cluster deployment: saves made as the
 * action makes them (MongoDB first, then the push) show in sync in the primary and in the
 * region of replica nodes, judged by reads of the region's own nodes (on a cluster an update
 * message heard in a region says nothing about its data, so only the primary is subscribed, and
 * the worker measures the region's arrivals by polling).
 */

const created: string[] = [];
const observer = suiteObserver();

describe('status observer on a cluster deployment', () => {
  it('watches the cluster’s regions and subscribes on its primary only', () => {
    expect(observer().regions.map((r) => `${r.deployment}/${r.name}/${r.role}`)).toEqual([
      'cluster/us-east-1/primary',
      'cluster/eu-west-1/replica',
      'cluster/ap-south-1/replica',
    ]);
    expect(observer().stats().subscriptions).toBe(1);
  });

  it('shows saves of many apps in sync in every region, and a wait converges', async () => {
    const apps = await Promise.all(
      Array.from({ length: 8 }, () => createPushedApp('t-obs-cl', created, 'obscl')),
    );
    const saves = await Promise.all(apps.map((app) => saveNextVersion(app)));
    expect(saves.every((s) => s.pushed)).toBe(true);
    for (const [i, app] of apps.entries()) {
      const version = saves[i]!.doc.version;
      const status = await waitFor(
        async () => {
          const s = observer().statusOf(await observer().appEntry(app._id));
          return s.regions.every((r) => r.state === 'in_sync' && r.stamp?.version === version)
            ? s
            : null;
        },
        10_000,
        `${app._id} in sync everywhere`,
        50,
      );
      expect(status.allInSync).toBe(true);
    }
    const { doc } = await saveNextVersion(apps[0]!);
    const waited = await waitForConvergence(apps[0]!, doc.version, 5_000, { observer: observer() });
    expect(waited.converged).toBe(true);
  });

  it('has the worker hear the primary only and measure the region’s arrival by polling', async () => {
    const worker = await startWorker({ log: () => {}, intervals: { pollMs: 100 } });
    try {
      await waitFor(
        () => worker.subscribedRegions().join() === 'us-east-1',
        10_000,
        'the primary subscribed',
        20,
      );
      const app = await createPushedApp('t-obs-cl', created, 'obscl');
      const { doc } = await saveNextVersion(app);
      const status = await waitFor(
        async () => {
          const s = observer().statusOf(await observer().appEntry(app._id));
          const eu = s.regions.find((r) => r.name === 'eu-west-1');
          return s.head?.version === doc.version && eu?.method === 'poll' ? s : null;
        },
        10_000,
        'eu-west-1 measured by polling',
        50,
      );
      expect(
        status.regions.find((r) => r.name === 'eu-west-1')?.timeToArriveMs,
      ).toBeGreaterThanOrEqual(0);
      expect(worker.subscribedRegions()).toEqual(['us-east-1']);
    } finally {
      await worker.stop();
    }
  });
});
