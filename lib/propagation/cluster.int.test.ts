import { afterAll, describe, expect, it, vi } from 'vitest';

// The cluster is declared before any module that reads the env is imported.
const cluster = await vi.hoisted(async () => {
  const { declareClusterDeployment } = await import('@/test/helpers/cluster-deployment');
  return declareClusterDeployment();
});

import { randomBytes } from 'node:crypto';
import { configKey, parseUpdateMessage, UPDATES_CHANNEL } from '@/lib/contract/cache-layout';
import { checksum as checksumOf } from '@/lib/contract/canonical-json';
import { sealedKeyIds } from '@/lib/contract/secret-envelope';
import {
  pushManyToPrimary,
  pushToPrimary,
  resealOnPrimary,
  type PushInput,
} from '@/lib/propagation/push';
import { readAllRegions } from '@/lib/propagation/read-stamps';
import { closeRedis, deploymentPrimaryRedis } from '@/lib/redis/clients';
import { findDeployment, regionsOf } from '@/lib/regions';
import { waitFor } from '@/test/helpers/devstack';
import { clusterAs, nodeAs } from '@/test/helpers/cluster-deployment';

/**
 * Propagate on a Redis Cluster deployment (three shards, replicas in eu-west-1): the push's
 * compare-and-set on the master of each app's slot, apps spread over every shard, the status
 * read from the region's own replica nodes, and update messages heard on any node.
 */

const admin = clusterAs('admin', cluster.nodes[0]!);
const written: string[] = [];

afterAll(async () => {
  await Promise.all(written.map((id) => admin.del(configKey(id))));
  admin.disconnect();
  await closeRedis({ subscribers: true });
});

function input(appId: string, version: number): PushInput {
  const data = { appId, version };
  return {
    appId,
    version,
    checksum: checksumOf(data),
    data,
    committedAt: new Date(),
  };
}

const newApp = () => {
  const id = `cl-${randomBytes(5).toString('hex')}`;
  written.push(id);
  return id;
};
const primary = () => deploymentPrimaryRedis('cluster');
const regions = () => regionsOf(findDeployment('cluster')!);

describe('push to a Redis Cluster primary', () => {
  it('writes on the master of the slot, and an older version never overwrites a newer one', async () => {
    const app = newApp();
    expect(await pushToPrimary(primary(), input(app, 2))).toMatchObject({ status: 'written' });
    expect(await pushToPrimary(primary(), input(app, 1))).toEqual({
      status: 'superseded',
      currentVersion: 2,
      currentChecksum: input(app, 2).checksum,
    });
    expect(await admin.hget(configKey(app), 'version')).toBe('2');
    expect(await pushToPrimary(primary(), input(app, 3))).toMatchObject({ status: 'written' });
    expect(await admin.hget(configKey(app), 'version')).toBe('3');
  });

  it('spreads many apps over all three shards, each push its own compare-and-set', async () => {
    const apps = Array.from({ length: 60 }, newApp);
    const outcomes = await pushManyToPrimary(
      primary(),
      apps.map((a) => input(a, 5)),
    );
    expect(outcomes.every((o) => o.status === 'written')).toBe(true);
    const again = await pushManyToPrimary(
      primary(),
      apps.map((a) => input(a, 4)),
    );
    expect(again.every((o) => o.status === 'superseded')).toBe(true);
    const masters = cluster.nodes.filter((n) => n.role === 'primary');
    const counts = await Promise.all(
      masters.map(async (m) => {
        const node = nodeAs('admin', m);
        try {
          return (await node.keys('propagate:cfg:cl-*')).filter((k) =>
            apps.includes(k.slice('propagate:cfg:'.length)),
          ).length;
        } finally {
          node.disconnect();
        }
      }),
    );
    expect(counts).toHaveLength(3);
    for (const count of counts) expect(count).toBeGreaterThan(0);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(60);
  });
});

describe('re-sealing secrets on a Redis Cluster primary', () => {
  it('rewrites the bodies on every shard’s master, and only at the version and checksum given', async () => {
    const sealWith = (kid: string) => ({ kid, key: randomBytes(32) });
    const [before, after] = [sealWith('before'), sealWith('after')];
    const sealed = (appId: string, version: number, sealingKey = before): PushInput => {
      const data = { appId, version, webhooks: [{ signingSecret: `whsec_${appId}` }] };
      return { ...input(appId, version), data, checksum: checksumOf(data), sealingKey };
    };
    const apps = Array.from({ length: 30 }, newApp);
    await pushManyToPrimary(
      primary(),
      apps.map((a) => sealed(a, 1)),
    );
    const kids = async () =>
      Promise.all(
        apps.map(async (a) => {
          const body = (await admin.hget(configKey(a), 'body')) ?? '';
          expect(body).not.toContain(`whsec_${a}`);
          return [...sealedKeyIds(JSON.parse(body))];
        }),
      );
    expect(new Set((await kids()).flat())).toEqual(new Set(['before']));

    expect(
      await resealOnPrimary(
        primary(),
        apps.map((a) => sealed(a, 2, after)),
      ),
    ).toEqual(apps.map(() => false));
    expect(
      await resealOnPrimary(
        primary(),
        apps.map((a) => sealed(a, 1, after)),
      ),
    ).toEqual(apps.map(() => true));
    expect(new Set((await kids()).flat())).toEqual(new Set(['after']));
    expect(await admin.hget(configKey(apps[0]!), 'version')).toBe('1');
  });
});

describe('status of a cluster deployment', () => {
  it('reads every app from the primary and from the region’s replica nodes', async () => {
    const apps = Array.from({ length: 30 }, newApp);
    await pushManyToPrimary(
      primary(),
      apps.map((a) => input(a, 7)),
    );
    const read = await waitFor(async () => {
      const r = await readAllRegions(apps, { regions: regions() });
      const all = r.regions.every((region) => region.stamps.every((s) => s?.version === 7));
      return all ? r : undefined;
    });
    const [us, eu] = read.regions;
    expect(us?.region.name).toBe('us-east-1');
    expect(us?.connectedReplicas).toBe(1);
    expect(eu?.region.name).toBe('eu-west-1');
    expect(eu?.reachable).toBe(true);
    expect(eu?.linkUp).toBe(true);
  });

  it('reads each key of a replica region from that region’s node for its slot, never a master', async () => {
    const apps = Array.from({ length: 30 }, newApp);
    await pushManyToPrimary(
      primary(),
      apps.map((a) => input(a, 2)),
    );
    const hmgets = async () =>
      Promise.all(
        cluster.nodes.map(async (n) => {
          const node = nodeAs('admin', n);
          try {
            const stats = await node.info('commandstats');
            return Number(/cmdstat_hmget:calls=(\d+)/.exec(stats)?.[1] ?? 0);
          } finally {
            node.disconnect();
          }
        }),
      );
    const [, eu] = regions();
    const before = await hmgets();
    const read = await waitFor(async () => {
      const r = await readAllRegions(apps, { regions: [eu!] });
      return r.regions[0]?.stamps.every((s) => s?.version === 2) ? r : undefined;
    });
    expect(read.regions[0]?.reachable).toBe(true);
    const after = await hmgets();
    const served = cluster.nodes.map((n, i) => ({ n, calls: after[i]! - before[i]! }));
    const on = (role: string) =>
      served.filter((s) => s.n.role === role).reduce((sum, s) => sum + s.calls, 0);
    expect(on('primary')).toBe(0);
    expect(on('replica')).toBeGreaterThanOrEqual(apps.length);
    // Every shard's replica served its share.
    for (const s of served.filter((x) => x.n.role === 'replica'))
      expect(s.calls).toBeGreaterThan(0);
  });

  it('reads the region from its own nodes: one that stops answering makes the region unreachable, not the master', async () => {
    const app = newApp();
    await pushToPrimary(primary(), input(app, 1));
    const replicaNode = cluster.nodes.find((n) => n.role === 'replica' && n.shard === 1)!;
    const node = nodeAs('admin', replicaNode);
    try {
      await node.call('CLIENT', 'PAUSE', '1500', 'ALL');
      const read = await readAllRegions([app], { regions: regions(), timeoutMs: 300 });
      expect(read.regions[0]?.reachable).toBe(true);
      expect(read.regions[1]).toMatchObject({ reachable: false, error: 'timed out' });
    } finally {
      node.disconnect();
    }
  });

  it('refuses to read a region that has no node for some slots (it would read another region)', async () => {
    const [, eu] = regions();
    const partial = { ...eu!, url: cluster.urls('eu-west-1')[0]!, nodes: [] };
    const read = await readAllRegions(['any-app'], { regions: [partial] });
    expect(read.regions[0]).toMatchObject({ reachable: false });
  });
});

describe('update messages on a cluster', () => {
  it('are heard on every node, replicas of the other region included (the bus broadcasts them)', async () => {
    const app = newApp();
    const listeners = [
      cluster.nodes.find((n) => n.role === 'replica' && n.shard === 2)!,
      cluster.nodes.find((n) => n.role === 'primary' && n.shard === 0)!,
    ].map((n) => nodeAs('reader', n));
    try {
      const heard = listeners.map(
        (l) =>
          new Promise<number>((resolve) =>
            l.on('message', (channel: string, raw: string) => {
              const m = parseUpdateMessage(raw);
              if (channel === UPDATES_CHANNEL && m?.appId === app) resolve(m.version);
            }),
          ),
      );
      await Promise.all(listeners.map((l) => l.subscribe(UPDATES_CHANNEL)));
      await pushToPrimary(primary(), input(app, 9));
      expect(await Promise.all(heard)).toEqual([9, 9]);
    } finally {
      for (const l of listeners) l.disconnect();
    }
  });
});
