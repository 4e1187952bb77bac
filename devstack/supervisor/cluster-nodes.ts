import { rmSync } from 'node:fs';
import path from 'node:path';
import { CLUSTER_SHARDS, formCluster, type ClusterNodeRecord } from '../cluster';
import { MasterLinkProxy } from '../master-link-proxy';
import { freePorts } from '../ports';
import { probeAccess, type StackConfig, type StackState } from '../state';
import type { TlsFiles } from '../tls';
import type { Log, ManagedRedis } from './stack-supervisor';

/** What starting a cluster needs from the supervisor that owns it. */
export interface ClusterHost {
  dir: string;
  config: StackConfig;
  state: StackState;
  tls: TlsFiles | undefined;
  redis: Map<string, ManagedRedis>;
  startRedis(m: ManagedRedis): Promise<void>;
  save(): void;
  log: Log;
}

/** The key of a cluster node in the supervisor's map of servers. */
export const managedName = (node: Pick<ClusterNodeRecord, 'region' | 'shard'>): string =>
  `${node.region}-${node.shard}`;

/** The replica node listening on `port` (the port it names in its replication handshake). */
function replicaOn(state: StackState, port: number): ClusterNodeRecord | undefined {
  return state.cluster?.find((n) => n.role === 'replica' && n.port === port);
}

/**
 * Starts a cluster stack's nodes (cluster.ts): three masters in the primary region, each behind
 * a link proxy whose port it announces (master-link-proxy.ts), and one replica per master in
 * every replica region, with its region's delay; then forms the cluster. Fresh on every start.
 * Returns the masters' proxies.
 */
export async function startClusterNodes(host: ClusterHost): Promise<MasterLinkProxy[]> {
  const { config, state } = host;
  const regions = [
    { region: config.primaryRegion, role: 'primary' as const, delayMs: undefined },
    ...config.regions.map((r) => ({
      region: r.name,
      role: 'replica' as const,
      delayMs: r.delayMs,
    })),
  ];
  const layout = regions.flatMap((r) =>
    Array.from({ length: CLUSTER_SHARDS }, (_, shard) => ({ ...r, shard })),
  );
  const ports = await freePorts(layout.length * 3);
  const nodes: ClusterNodeRecord[] = layout.map(({ region, role, shard, delayMs }, i) => ({
    region,
    role,
    shard,
    port: ports[i * 3] ?? 0,
    busPort: ports[i * 3 + 1] ?? 0,
    pid: null,
    ...(role === 'primary'
      ? { proxyPort: ports[i * 3 + 2] ?? 0 }
      : { delayMs: delayMs ?? 0, partitioned: false }),
  }));
  state.cluster = nodes;
  const proxies = await Promise.all(
    nodes
      .filter((n) => n.role === 'primary')
      .map(async (node) => {
        const proxy = new MasterLinkProxy({
          name: managedName(node),
          targetPort: node.port,
          listenPort: node.proxyPort,
          linkOf: (port) => {
            const replica = replicaOn(state, port);
            return replica && { delayMs: replica.delayMs ?? 0, partitioned: !!replica.partitioned };
          },
          ...(host.tls && { tls: host.tls }),
        });
        node.proxyPort = await proxy.listen();
        return proxy;
      }),
  );
  await Promise.all(
    nodes.map(async (node) => {
      const name = managedName(node);
      const dir = path.join(host.dir, 'redis', name);
      rmSync(dir, { recursive: true, force: true });
      const m: ManagedRedis = {
        region: name,
        role: node.role,
        spec: {
          name,
          port: node.port,
          dir,
          credentials: config.credentials,
          ...(host.tls && { tls: host.tls }),
          cluster: {
            busPort: node.busPort,
            ...(node.proxyPort && { announcePort: node.proxyPort, persist: true }),
          },
        },
        child: null,
      };
      host.redis.set(name, m);
      await host.startRedis(m);
      node.pid = m.child?.pid ?? null;
    }),
  );
  const [first] = nodes;
  if (first) state.primary = { region: first.region, port: first.port, pid: first.pid };
  host.save();
  await formCluster(nodes, probeAccess(state));
  const described = nodes.map((n) => (n.proxyPort ? `${n.port} (via :${n.proxyPort})` : n.port));
  host.log(
    `cluster: ${CLUSTER_SHARDS} shards in ${regions.map((r) => r.region).join(', ')} on ${described.join(' ')}`,
  );
  return proxies;
}
