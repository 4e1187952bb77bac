import { afterAll, describe, expect, it, vi } from 'vitest';

// Both deployments are declared before any module that reads the env is imported.
const kinds = await vi.hoisted(async () => {
  const { declarePlainAndCluster } = await import('@/test/helpers/cluster-deployment');
  return declarePlainAndCluster();
});

import { configKey, parseUpdateMessage, UPDATES_CHANNEL } from '@/lib/contract/cache-layout';
import { checksum } from '@/lib/contract/canonical-json';
import { randomBytes } from 'node:crypto';
import { sealedKeyIds } from '@/lib/contract/secret-envelope';
import {
  pushManyToPrimary,
  pushToPrimary,
  resealOnPrimary,
  type PushInput,
} from '@/lib/propagation/push';
import { readAllRegions, type StampsRead } from '@/lib/propagation/read-stamps';
import { closeRedis, deploymentPrimaryRedis } from '@/lib/redis/clients';
import { findDeployment, regionsOf } from '@/lib/regions';
import { waitFor } from '@/test/helpers/devstack';
import { fault } from '@/devstack/stack';
import {
  appsWritten,
  deploymentAs,
  nodeAs,
  urlsOf,
  type DeploymentKind,
} from '@/test/helpers/cluster-deployment';

/**
 * The push and the status on both kinds of cache deployment, a plain one (a primary and a
 * replica per region) and a Redis Cluster (three shards, replicas in eu-west-1): the push's
 * compare-and-set, the status read from each region's own nodes, update messages heard in a
 * region. Then what only a cluster has: apps spread over its shards, a region short of nodes.
 */

const { newApps, removeAll } = appsWritten(kinds, 'pc');

afterAll(async () => {
  await removeAll();
  await closeRedis({ subscribers: true });
});

function input(appId: string, version: number): PushInput {
  const data = { appId, version };
  return { appId, version, checksum: checksum(data), data, committedAt: new Date() };
}

const primary = (kind: DeploymentKind) => deploymentPrimaryRedis(kind.name);
const regions = (kind: DeploymentKind) => regionsOf(findDeployment(kind.name)!);
const euWest = (kind: DeploymentKind) => regions(kind).find((r) => r.name === 'eu-west-1')!;

async function hmgetCalls(kind: DeploymentKind): Promise<number[]> {
  return Promise.all(
    kind.nodes.map(async (n) => {
      const node = nodeAs('admin', n);
      try {
        const stats = await node.info('commandstats');
        return Number(/cmdstat_hmget:calls=(\d+)/.exec(stats)?.[1] ?? 0);
      } finally {
        node.disconnect();
      }
    }),
  );
}

describe.each(kinds)('on a $kind deployment', (kind) => {
  it('pushes with compare-and-set: an older version never overwrites a newer one', async () => {
    const [app] = newApps(kind, 1);
    const admin = deploymentAs('admin', kind);
    try {
      expect(await pushToPrimary(primary(kind), input(app!, 2))).toMatchObject({
        status: 'written',
      });
      expect(await pushToPrimary(primary(kind), input(app!, 1))).toEqual({
        status: 'superseded',
        currentVersion: 2,
        currentChecksum: input(app!, 2).checksum,
      });
      expect(await admin.hget(configKey(app!), 'version')).toBe('2');
      const many = newApps(kind, 40);
      await pushManyToPrimary(
        primary(kind),
        many.map((a) => input(a, 5)),
      );
      const again = await pushManyToPrimary(
        primary(kind),
        many.map((a) => input(a, 4)),
      );
      expect(again.every((o) => o.status === 'superseded')).toBe(true);
    } finally {
      admin.disconnect();
    }
  });

  it('reads the status from the primary and from each region’s own nodes, never the primary', async () => {
    const apps = newApps(kind, 30);
    await pushManyToPrimary(
      primary(kind),
      apps.map((a) => input(a, 7)),
    );
    const all = await waitFor(async () => {
      const r = await readAllRegions(apps, { regions: regions(kind) });
      const done = r.regions.every((region) => region.stamps.every((s) => s?.version === 7));
      return done ? r : undefined;
    });
    expect(all.regions[0]?.connectedReplicas).toBeGreaterThanOrEqual(1);
    expect(all.regions.slice(1).every((r) => r.reachable && r.linkUp === true)).toBe(true);

    const before = await hmgetCalls(kind);
    const eu = await readAllRegions(apps, { regions: [euWest(kind)] });
    expect(eu.regions[0]?.stamps.every((s) => s?.version === 7)).toBe(true);
    const after = await hmgetCalls(kind);
    const served = kind.nodes.map((n, i) => ({ n, calls: after[i]! - before[i]! }));
    const onEu = served.filter((s) => s.n.region === 'eu-west-1');
    expect(served.filter((s) => s.n.role === 'primary').every((s) => s.calls === 0)).toBe(true);
    expect(onEu.reduce((sum, s) => sum + s.calls, 0)).toBeGreaterThanOrEqual(apps.length);
    // Each of the region's nodes (one per shard on a cluster) served its share.
    for (const s of onEu) expect(s.calls).toBeGreaterThan(0);
  });

  it('shows a region unreachable when its node stops answering', async () => {
    const [app] = newApps(kind, 1);
    await pushToPrimary(primary(kind), input(app!, 1));
    const euNodes = kind.nodes.filter((n) => n.region === 'eu-west-1');
    const node = nodeAs('admin', euNodes[euNodes.length - 1]!);
    try {
      await node.call('CLIENT', 'PAUSE', '1500', 'ALL');
      const read = await readAllRegions([app!], {
        regions: [regions(kind)[0]!, euWest(kind)],
        timeoutMs: 300,
      });
      expect(read.regions[0]?.reachable).toBe(true);
      expect(read.regions[1]).toMatchObject({ reachable: false, error: 'timed out' });
    } finally {
      node.disconnect();
    }
  });

  it('delivers update messages to subscribers on the region’s nodes and the primary', async () => {
    const [app] = newApps(kind, 1);
    const listeners = [
      kind.nodes.filter((n) => n.region === 'eu-west-1').at(-1)!,
      kind.nodes.find((n) => n.role === 'primary')!,
    ].map((n) => nodeAs('reader', n));
    try {
      const heard = listeners.map(
        (l) =>
          new Promise<number>((resolve) =>
            l.on('message', (channel: string, raw: string) => {
              const m = parseUpdateMessage(raw);
              if (channel === UPDATES_CHANNEL && m && m.appId === app) resolve(m.version);
            }),
          ),
      );
      await Promise.all(listeners.map((l) => l.subscribe(UPDATES_CHANNEL)));
      await pushToPrimary(primary(kind), input(app!, 9));
      expect(await Promise.all(heard)).toEqual([9, 9]);
    } finally {
      for (const l of listeners) l.disconnect();
    }
  });
  it('a partitioned region stays behind on every node, then catches up after heal', async () => {
    const apps = newApps(kind, 6);
    const atVersion = (read: StampsRead, region: string, version: number) =>
      read.regions
        .filter((r) => r.region.name === region)
        .every((r) => r.stamps.every((s) => s?.version === version));
    const readAll = () => readAllRegions(apps, { regions: regions(kind) });
    await pushManyToPrimary(
      primary(kind),
      apps.map((a) => input(a, 1)),
    );
    await waitFor(async () => atVersion(await readAll(), 'eu-west-1', 1), 10_000, 'v1 in eu');
    await fault(kind.dir, 'eu-west-1', 'partition');
    try {
      await pushManyToPrimary(
        primary(kind),
        apps.map((a) => input(a, 2)),
      );
      // Behind, and reported cut once the link times out (each shard's node on a cluster).
      const cut = await waitFor(
        async () => {
          const read = await readAll();
          const eu = read.regions.find((r) => r.region.name === 'eu-west-1');
          const othersDone = read.regions
            .filter((r) => r.region.name !== 'eu-west-1')
            .every((r) => r.stamps.every((st) => st?.version === 2));
          return othersDone && eu?.linkUp === false ? read : undefined;
        },
        20_000,
        'every other region at v2 and eu-west-1 reported cut',
        200,
      );
      expect(atVersion(cut, 'eu-west-1', 1)).toBe(true);
    } finally {
      await fault(kind.dir, 'eu-west-1', 'heal');
    }
    await waitFor(async () => atVersion(await readAll(), 'eu-west-1', 2), 20_000, 'v2 in eu');
  });

  it('a killed region reads unreachable, then serves what was pushed meanwhile after revive', async () => {
    const apps = newApps(kind, 6);
    const readEu = () => readAllRegions(apps, { regions: [euWest(kind)], timeoutMs: 500 });
    const euAt = (read: StampsRead, version: number) =>
      read.regions.every((r) => r.reachable && r.stamps.every((s) => s?.version === version));
    await pushManyToPrimary(
      primary(kind),
      apps.map((a) => input(a, 1)),
    );
    await waitFor(async () => euAt(await readEu(), 1), 10_000, 'v1 in eu');
    // Every node of the region (one per shard on a cluster) goes down.
    await fault(kind.dir, 'eu-west-1', 'kill');
    try {
      await waitFor(
        async () => (await readEu()).regions.every((r) => !r.reachable),
        20_000,
        'eu-west-1 unreachable',
        200,
      );
      await pushManyToPrimary(
        primary(kind),
        apps.map((a) => input(a, 2)),
      );
    } finally {
      await fault(kind.dir, 'eu-west-1', 'revive');
    }
    // A revived replica starts empty and resyncs from its master: the newest version, never v1.
    await waitFor(async () => euAt(await readEu(), 2), 30_000, 'v2 in eu after revive', 200);
  });
});

describe('only on a cluster', () => {
  const cluster = kinds.find((k) => k.kind === 'cluster')!;

  it('spreads many apps over all three shards', async () => {
    const apps = newApps(cluster, 60);
    await pushManyToPrimary(
      primary(cluster),
      apps.map((a) => input(a, 5)),
    );
    const masters = cluster.nodes.filter((n) => n.role === 'primary');
    const counts = await Promise.all(
      masters.map(async (m) => {
        const node = nodeAs('admin', m);
        try {
          const keys = await node.keys('propagate:cfg:pc-*');
          return keys.filter((k) => apps.includes(k.slice('propagate:cfg:'.length))).length;
        } finally {
          node.disconnect();
        }
      }),
    );
    expect(counts).toHaveLength(3);
    for (const count of counts) expect(count).toBeGreaterThan(0);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(60);
  });

  it('re-seals secrets on every shard’s master, and only at the version and checksum given', async () => {
    const admin = deploymentAs('admin', cluster);
    const sealWith = (kid: string) => ({ kid, key: randomBytes(32) });
    const [before, after] = [sealWith('before'), sealWith('after')];
    const sealed = (appId: string, version: number, sealingKey = before): PushInput => {
      const data = { appId, version, webhooks: [{ signingSecret: `whsec_${appId}` }] };
      return { ...input(appId, version), data, checksum: checksum(data), sealingKey };
    };
    const apps = newApps(cluster, 30);
    try {
      await pushManyToPrimary(
        primary(cluster),
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
          primary(cluster),
          apps.map((a) => sealed(a, 2, after)),
        ),
      ).toEqual(apps.map(() => false));
      expect(
        await resealOnPrimary(
          primary(cluster),
          apps.map((a) => sealed(a, 1, after)),
        ),
      ).toEqual(apps.map(() => true));
      expect(new Set((await kids()).flat())).toEqual(new Set(['after']));
      expect(await admin.hget(configKey(apps[0]!), 'version')).toBe('1');
    } finally {
      admin.disconnect();
    }
  });

  it('refuses to read a region that has no node for some slots (it would read another region)', async () => {
    const partial = { ...euWest(cluster), url: urlsOf(cluster, 'eu-west-1')[0]!, nodes: [] };
    const read = await readAllRegions(['any-app'], { regions: [partial] });
    expect(read.regions[0]).toMatchObject({ reachable: false });
  });
});
