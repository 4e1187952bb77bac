/**
 * A Redis Cluster deployment in the devstack (`stack:up -- --cluster`): three masters in the
 * primary region, and in every replica region one replica per master, each a real redis-server
 * with `cluster-enabled yes` and the stack's ACL users. The slots are split evenly over the
 * masters (CLUSTER ADDSLOTSRANGE), the nodes meet, and each replica follows its shard's master
 * (CLUSTER REPLICATE). A cluster starts empty on every `up`: the cache is disposable and the
 * nodes' addresses change with their ports.
 *
 * The regions' distances: a cluster replica follows the address its master announces, so each
 * master announces the port of a link proxy in front of it (master-link-proxy.ts), which delays
 * or holds what it sends to each replica by that replica's region and passes clients through.
 * Faults act on every node of a region, or on one (`region#shard`): supervisor/cluster-faults.ts.
 */
import type { DeploymentDeclaration } from '../lib/model/deployment-spec';
import { CLUSTER_SLOTS } from '../lib/contract/cluster-routing';
import { redisCommand, redisInfo, sleep, type ProbeAccess } from './redis-process';

export const CLUSTER_SHARDS = 3;

export interface ClusterNodeRecord {
  region: string;
  role: 'primary' | 'replica';
  shard: number;
  port: number;
  busPort: number;
  pid: number | null;
  /** Masters: the port of the link proxy in front of it, which the master announces. */
  proxyPort?: number;
  /** Replicas: the delay and partition of its replication link (its region's, unless faulted alone). */
  delayMs?: number;
  partitioned?: boolean;
}

/** The port the cluster announces for a node (what CLUSTER SLOTS lists): a master's proxy. */
export const announcedPort = (node: ClusterNodeRecord): number => node.proxyPort ?? node.port;

/** How faults and the status name one node. */
export const nodeName = (node: Pick<ClusterNodeRecord, 'region' | 'shard'>): string =>
  `${node.region}#${node.shard}`;

/** The slot range of each shard: 16 384 slots split evenly. */
export function shardSlots(shard: number, shards = CLUSTER_SHARDS): [number, number] {
  const size = Math.ceil(CLUSTER_SLOTS / shards);
  return [shard * size, Math.min(CLUSTER_SLOTS, (shard + 1) * size) - 1];
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');

function infoField(raw: string, field: string): string | undefined {
  return raw
    .split('\r\n')
    .find((line) => line.startsWith(`${field}:`))
    ?.slice(field.length + 1);
}

async function until(
  what: string,
  timeoutMs: number,
  check: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`cluster: ${what} not reached in ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Assigns the slots, introduces the nodes, attaches the replicas; resolves once all agree. */
export async function formCluster(
  nodes: readonly ClusterNodeRecord[],
  access: ProbeAccess,
  timeoutMs = 30_000,
): Promise<void> {
  const call = (node: ClusterNodeRecord, ...args: string[]) =>
    redisCommand(node.port, args, 2_000, access);
  const masters = nodes.filter((n) => n.role === 'primary').sort((a, b) => a.shard - b.shard);
  const [first] = masters;
  if (!first) throw new Error('cluster: no master');
  await Promise.all(
    masters.map((m) => call(m, 'CLUSTER', 'ADDSLOTSRANGE', ...shardSlots(m.shard).map(String))),
  );
  await Promise.all(
    nodes
      .filter((n) => n !== first)
      .map((n) =>
        call(
          n,
          'CLUSTER',
          'MEET',
          '127.0.0.1',
          String(announcedPort(first)),
          String(first.busPort),
        ),
      ),
  );
  await until('every node knowing every other', timeoutMs, async () => {
    const infos = await Promise.all(nodes.map((n) => call(n, 'CLUSTER', 'INFO')));
    return infos.every((i) => Number(infoField(text(i), 'cluster_known_nodes')) === nodes.length);
  });
  const ids = await Promise.all(masters.map((m) => call(m, 'CLUSTER', 'MYID')));
  await Promise.all(
    nodes
      .filter((n) => n.role === 'replica')
      .map((n) => call(n, 'CLUSTER', 'REPLICATE', text(ids[n.shard]))),
  );
  const perShard = nodes.length / masters.length;
  // Clients and replicas must find each master at its proxy, not at its own port.
  const announced = new Set(masters.map(announcedPort));
  await until('every shard served by its master and replicas', timeoutMs, async () => {
    const checks = await Promise.all(
      nodes.map(async (n) => {
        const [info, slots, replication] = await Promise.all([
          call(n, 'CLUSTER', 'INFO'),
          call(n, 'CLUSTER', 'SLOTS'),
          redisInfo(n.port, access),
        ]);
        const ranges = Array.isArray(slots) ? slots : [];
        return (
          infoField(text(info), 'cluster_state') === 'ok' &&
          ranges.length === masters.length &&
          ranges.every(
            (r) =>
              Array.isArray(r) &&
              r.length - 2 === perShard &&
              Array.isArray(r[2]) &&
              announced.has(Number(r[2][1])),
          ) &&
          (n.role === 'primary' || replication.master_link_status === 'up')
        );
      }),
    );
    return checks.every(Boolean);
  });
}

/** The cluster's declaration: its primary's nodes as seeds, each region's replica nodes. */
export function clusterDeclaration(
  name: string,
  nodes: readonly ClusterNodeRecord[],
  tls?: { caFile: string; servername: string },
): DeploymentDeclaration {
  const scheme = tls ? 'rediss' : 'redis';
  const urlsOf = (region: string) =>
    nodes
      .filter((n) => n.region === region)
      .sort((a, b) => a.shard - b.shard)
      .map((n) => `${scheme}://127.0.0.1:${announcedPort(n)}`);
  const endpoint = (region: string) => {
    const [url = '', ...rest] = urlsOf(region);
    return { region, url, nodes: rest };
  };
  const primaryRegion = nodes.find((n) => n.role === 'primary')?.region ?? '';
  const replicaRegions = [
    ...new Set(nodes.filter((n) => n.role === 'replica').map((n) => n.region)),
  ];
  return {
    name,
    cluster: true,
    usernameVar: 'REDIS_USERNAME',
    passwordVar: 'REDIS_PASSWORD',
    ...(tls && { tlsCaFile: tls.caFile, tlsServername: tls.servername }),
    primary: endpoint(primaryRegion),
    replicas: replicaRegions.map(endpoint),
  };
}
