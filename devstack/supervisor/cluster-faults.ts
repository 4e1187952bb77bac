import { nodeName, type ClusterNodeRecord } from '../cluster';
import { FAULT_ACTIONS, type FaultRequest, type FaultResult } from '../control';
import type { MasterLinkProxy } from '../master-link-proxy';
import { managedName } from './cluster-nodes';
import { killServer, reviveServer } from './faults';
import type { ManagedRedis } from './stack-supervisor';

/** What a fault on a cluster stack acts on: its nodes, their servers and the masters' proxies. */
export interface ClusterFaultTarget {
  nodes: ClusterNodeRecord[];
  redis: Map<string, ManagedRedis>;
  proxies: MasterLinkProxy[];
  restart: (m: ManagedRedis) => Promise<void>;
  applied(result: FaultResult): void;
}

/** The nodes a fault names: every node of a region (`eu-west-1`), or one (`eu-west-1#2`). */
function targets(nodes: readonly ClusterNodeRecord[], name: string): ClusterNodeRecord[] {
  const chosen = nodes.filter((n) => n.region === name || nodeName(n) === name);
  if (chosen.length === 0) {
    const regions = [...new Set(nodes.map((n) => n.region))];
    throw new Error(
      `unknown region or node ${name}; this cluster has ${regions.join(', ')} (a node: ${nodeName(nodes[0] ?? { region: 'region', shard: 0 })})`,
    );
  }
  return chosen;
}

const names = (nodes: readonly ClusterNodeRecord[]) => nodes.map(nodeName).join(', ');

/**
 * Applies one fault to a region of a cluster stack, on each of its nodes (one replica per shard,
 * or the masters), or to one node. Latency, partition and heal act on replicas' replication
 * links, through every master's proxy at once; kill and revive on the servers themselves.
 */
export async function applyClusterFault(
  target: ClusterFaultTarget,
  request: FaultRequest,
): Promise<FaultResult> {
  const { region, action } = request;
  if (!FAULT_ACTIONS.includes(action))
    throw new Error(`unknown action ${String(action)}; use ${FAULT_ACTIONS.join(', ')}`);
  const chosen = targets(target.nodes, region);
  const done = (message: string): FaultResult => {
    const result = { region, action, message };
    target.applied(result);
    return result;
  };
  switch (action) {
    case 'latency':
    case 'partition':
    case 'heal': {
      const replicas = chosen.filter((n) => n.role === 'replica');
      if (replicas.length === 0)
        throw new Error(`${region} is the primary: ${action} applies to replicas' links`);
      for (const node of replicas) {
        if (action === 'latency') node.delayMs = Number(request.ms);
        else node.partitioned = action === 'partition';
      }
      for (const proxy of target.proxies) proxy.pump();
      const what =
        action === 'latency'
          ? `primary→replica delay now ${Number(request.ms)} ms`
          : action === 'partition'
            ? 'links held (nothing forwarded, nothing dropped)'
            : 'links forwarding again';
      return done(`${what} on ${names(replicas)}`);
    }
    case 'kill':
    case 'revive': {
      const lines = await Promise.all(
        chosen.map(async (node) => {
          const m = target.redis.get(managedName(node));
          if (!m) return `${nodeName(node)}: no server`;
          const line =
            action === 'kill' ? await killServer(m) : await reviveServer(m, target.restart);
          return `${nodeName(node)}: ${line}`;
        }),
      );
      return done(lines.join('; '));
    }
  }
}

/** Bytes the masters' proxies hold (delayed or partitioned) for the replica listening on a port. */
export function clusterLinkStatus(
  proxies: readonly MasterLinkProxy[],
): (replicaPort: number) => number {
  return (replicaPort) => proxies.reduce((sum, p) => sum + p.queuedBytesFor(replicaPort), 0);
}
