import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { announcedPort, nodeName, shardSlots } from './cluster';
import { fault, status, type FaultAction } from './stack';
import { clusterBesideStack, clusterKind, deploymentAs } from '../test/helpers/cluster-deployment';
import { quitAll, redisAs, waitFor } from '../test/helpers/devstack';

/**
 * Regional delays and faults on a devstack cluster: each master announces its link proxy, which
 * passes clients through and gives each replica's replication link its region's delay and
 * partition (master-link-proxy.ts); `fault` acts on a region's node of every shard at once, or
 * on one node, and kills and revives nodes.
 */

const cluster = await clusterBesideStack();
const { dir } = cluster.stack;
const [EU, AP] = ['eu-west-1', 'ap-south-1'];
const onCluster = (region: string, action: FaultAction, ms?: number) =>
  fault(dir, region, action, ms);
const clusterStatus = async () => {
  const current = await status(dir);
  if (!current) throw new Error(`no cluster stack in ${dir}`);
  return current;
};

const writer: Cluster = deploymentAs('admin', clusterKind(cluster)) as Cluster;
const readers = new Map<string, Redis>(); // node name → a connection reading from it

function reader(region: string, shard: number): Redis {
  const node = cluster.nodes.find((n) => n.region === region && n.shard === shard);
  if (!node) throw new Error(`no node ${region}#${shard}`);
  let client = readers.get(nodeName(node));
  if (!client) {
    // READONLY on every (re)connect: a replica redirects reads otherwise.
    client = redisAs('admin', `redis://127.0.0.1:${node.port}`, { readOnly: true });
    client.on('error', () => undefined); // a killed node's connection retries quietly
    readers.set(nodeName(node), client);
  }
  return client;
}

/** One fresh key per shard (found by its slot), so a write reaches every shard. */
async function keyPerShard(): Promise<string[]> {
  const keys: string[] = [];
  for (let shard = 0; shard < 3; shard += 1) {
    const [low, high] = shardSlots(shard);
    for (;;) {
      const key = `devstack:test:cl:${randomUUID()}`;
      const slot = Number(await writer.cluster('KEYSLOT', key));
      if (slot >= low && slot <= high) {
        keys.push(key);
        break;
      }
    }
  }
  return keys;
}

const has = async (region: string, shard: number, key: string) =>
  (await reader(region, shard).get(key)) !== null;

afterEach(async () => {
  // Leave the shared cluster as we found it, whatever failed.
  for (const target of ['us-east-1', EU, AP]) await onCluster(target, 'revive');
  for (const region of [EU, AP]) {
    await onCluster(region, 'heal');
    await onCluster(region, 'latency', 0);
  }
  await waitFor(async () => (await clusterStatus()).healthy, 30_000, 'the cluster healthy', 200);
});

afterAll(async () => {
  await quitAll([...readers.values()]);
  writer.disconnect();
});

describe('devstack cluster faults', () => {
  it('announces each master at its proxy; clients pass through it, the status shows each link', async () => {
    const slots = await reader(EU, 0).cluster('SLOTS');
    const masters = cluster.nodes.filter((n) => n.role === 'primary');
    expect(new Set(slots.map((s) => s[2]?.[1]))).toEqual(new Set(masters.map(announcedPort)));
    for (const m of masters) expect(m.proxyPort).not.toBe(m.port);

    const keys = await keyPerShard();
    await Promise.all(keys.map((k) => writer.set(k, 'v', 'EX', 60)));
    expect(await Promise.all(keys.map((k) => writer.get(k)))).toEqual(['v', 'v', 'v']);

    await onCluster(EU, 'latency', 40);
    const current = await clusterStatus();
    const replicas = current.processes.filter((p) => p.role === 'replica');
    expect(replicas.map((p) => p.name).sort()).toEqual(
      [0, 1, 2].flatMap((s) => [`${AP}#${s}`, `${EU}#${s}`]).sort(),
    );
    for (const p of replicas)
      expect(p).toMatchObject({
        link: 'up',
        partitioned: false,
        delayMs: p.name.startsWith(EU) ? 40 : 0,
      });
    const primaries = current.processes.filter((p) => p.role === 'primary');
    expect(primaries.map((p) => p.proxyPort)).toEqual(masters.map(announcedPort));
  });

  it('delays every shard’s replica of a region by its latency, and no other region', async () => {
    await onCluster(EU, 'latency', 100);
    await new Promise((resolve) => setTimeout(resolve, 300)); // bytes sent before drain
    const arrivals: Record<string, number[]> = { [EU]: [], [AP]: [] };
    for (let round = 0; round < 3; round += 1) {
      const keys = await keyPerShard();
      await Promise.all(
        keys.map(async (key, shard) => {
          const sentAt = performance.now();
          await writer.set(key, 'v', 'EX', 60);
          await Promise.all(
            [EU, AP].map(async (region) => {
              await waitFor(() => has(region, shard, key), 10_000, `${key} on ${region}`, 2);
              arrivals[region]!.push(performance.now() - sentAt);
            }),
          );
        }),
      );
    }
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
    console.log(
      `[cluster] latency ${EU} 100 ms, ${AP} 0 ms → median arrival ${median(arrivals[EU]!).toFixed(1)} ms / ` +
        `${median(arrivals[AP]!).toFixed(1)} ms over ${arrivals[EU]!.length} writes (3 per shard)`,
    );
    // The delay is a floor: no write reaches the slowed region sooner.
    for (const ms of arrivals[EU]!) expect(ms).toBeGreaterThanOrEqual(99);
    expect(median(arrivals[AP]!)).toBeLessThan(median(arrivals[EU]!));
  });

  it('partition holds a region on every shard until heal; other regions and clients carry on', async () => {
    await onCluster(EU, 'partition');
    const keys = await keyPerShard();
    await Promise.all(keys.map((k) => writer.set(k, 'cut', 'EX', 120)));
    for (const [shard, key] of keys.entries())
      await waitFor(() => has(AP, shard, key), 10_000, `${key} on ${AP}`);
    expect(await Promise.all(keys.map((k) => writer.get(k)))).toEqual(['cut', 'cut', 'cut']);

    const since = Date.now();
    const reported = await waitFor(
      async () => {
        const nodes = (await clusterStatus()).processes.filter((p) => p.name.startsWith(EU));
        return nodes.every((p) => p.link === 'down' && p.partitioned) ? nodes : undefined;
      },
      15_000,
      `every ${EU} link reported down`,
      200,
    );
    console.log(`[cluster] partitioned links reported down after ${Date.now() - since} ms`);
    expect(reported).toHaveLength(3);
    for (const [shard, key] of keys.entries()) expect(await has(EU, shard, key)).toBe(false);

    await onCluster(EU, 'heal');
    for (const [shard, key] of keys.entries())
      await waitFor(() => has(EU, shard, key), 15_000, `${key} on ${EU} after heal`);
  });

  it('one node alone: a fault on eu-west-1#1 leaves the region’s other shards alone', async () => {
    await onCluster(`${EU}#1`, 'partition');
    const keys = await keyPerShard();
    await Promise.all(keys.map((k) => writer.set(k, 'one', 'EX', 120)));
    await waitFor(() => has(EU, 0, keys[0]!), 10_000, 'shard 0 on eu-west-1');
    await waitFor(() => has(EU, 2, keys[2]!), 10_000, 'shard 2 on eu-west-1');
    expect(await has(EU, 1, keys[1]!)).toBe(false);
    const nodes = (await clusterStatus()).processes.filter((p) => p.name.startsWith(EU));
    expect(nodes.map((p) => p.partitioned)).toEqual([false, true, false]);
  });

  it('kill and revive: a master comes back with its data, a region’s replicas resync', async () => {
    const keys = await keyPerShard();
    await Promise.all(keys.map((k) => writer.set(k, 'kept', 'EX', 120)));
    await onCluster('us-east-1#1', 'kill');
    await onCluster(EU, 'kill');
    const down = (await clusterStatus()).processes.filter((p) => !p.alive).map((p) => p.name);
    expect(down.sort()).toEqual(['us-east-1#1', `${EU}#0`, `${EU}#1`, `${EU}#2`].sort());

    await onCluster('us-east-1#1', 'revive');
    await onCluster(EU, 'revive');
    await waitFor(async () => (await clusterStatus()).healthy, 30_000, 'healthy after revive', 200);
    // The master reloads its AOF: its shard's key survived, and reaches the revived region.
    expect(await waitFor(() => writer.get(keys[1]!), 15_000, 'shard 1 served again')).toBe('kept');
    for (const [shard, key] of keys.entries())
      await waitFor(() => has(EU, shard, key), 15_000, `${key} on ${EU} after revive`);
  });
});
