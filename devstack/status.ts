import { nodeName } from './cluster';
import type { LinkProxyStatus } from './link-proxy';
import { redisInfo } from './redis-process';
import { pidAlive, probeAccess, rssKb, type StackState } from './state';

export interface ProcessStatus {
  name: string;
  role: 'supervisor' | 'primary' | 'replica' | 'mongo';
  pid: number | null;
  alive: boolean;
  port: number | null;
  rssKb: number | null;
  /** Replicas: `master_link_status` (up/down), or `unreachable` when the server does not answer. */
  link?: string;
  linkDownSinceS?: number;
  /** Replicas: bytes of the primary's replication stream not yet applied here. */
  lagBytes?: number | null;
  delayMs?: number;
  partitioned?: boolean;
  proxyPort?: number;
  /** Bytes the link proxy holds (delayed or partitioned). */
  queuedBytes?: number;
  connectedReplicas?: number;
  tier?: string;
}

export interface StackStatus {
  dir: string;
  phase: StackState['phase'];
  supervisorAlive: boolean;
  healthy: boolean;
  problems: string[];
  processes: ProcessStatus[];
  totalRssKb: number;
}

/**
 * A cluster stack's nodes: each must answer, and each replica's link to its master be up. A
 * replica shows its link's delay and partition, and its lag behind its shard's master.
 */
async function clusterEntries(
  state: StackState,
  problems: string[],
  queuedFor?: (replicaPort: number) => number,
): Promise<ProcessStatus[]> {
  const nodes = state.cluster ?? [];
  const infos = await Promise.all(
    nodes.map((node) => redisInfo(node.port, probeAccess(state)).catch(() => undefined)),
  );
  const masterOffset = (shard: number): number | undefined => {
    const i = nodes.findIndex((n) => n.role === 'primary' && n.shard === shard);
    const offset = Number(infos[i]?.master_repl_offset);
    return Number.isFinite(offset) ? offset : undefined;
  };
  return nodes.map((node, i): ProcessStatus => {
    const info = infos[i];
    const name = nodeName(node);
    const entry: ProcessStatus = {
      name,
      role: node.role,
      pid: node.pid,
      alive: pidAlive(node.pid),
      port: node.port,
      rssKb: rssKb(node.pid),
      ...(node.proxyPort !== undefined && { proxyPort: node.proxyPort }),
    };
    if (!info) entry.link = 'unreachable';
    else if (node.role === 'primary') {
      entry.link = 'primary';
      entry.connectedReplicas = Number(info.connected_slaves ?? 0);
    } else {
      entry.link = info.master_link_status ?? 'none';
      if (info.master_link_down_since_seconds)
        entry.linkDownSinceS = Number(info.master_link_down_since_seconds);
      const primary = masterOffset(node.shard);
      const applied = Number(info.slave_repl_offset);
      entry.lagBytes =
        primary !== undefined && Number.isFinite(applied) ? Math.max(0, primary - applied) : null;
    }
    if (node.role === 'replica') {
      entry.delayMs = node.delayMs ?? 0;
      entry.partitioned = !!node.partitioned;
      if (queuedFor) entry.queuedBytes = queuedFor(node.port);
    }
    if (entry.link !== 'up' && entry.link !== 'primary')
      problems.push(
        `cluster node ${name}: ${entry.link}${entry.partitioned ? ' (partitioned)' : ''}`,
      );
    return entry;
  });
}

/**
 * Probes every process a stack recorded. Works without the supervisor (then proxy numbers come
 * from state.json), so `status` still says what is left after a crash.
 */
export async function collectStatus(
  state: StackState,
  proxies?: LinkProxyStatus[],
  /** A cluster's: bytes the masters' proxies hold for the replica listening on a port. */
  clusterQueued?: (replicaPort: number) => number,
): Promise<StackStatus> {
  const problems: string[] = [];
  const supervisorAlive = pidAlive(state.supervisorPid);
  if (!supervisorAlive) problems.push('supervisor is not running');
  const processes: ProcessStatus[] = [
    {
      name: 'supervisor',
      role: 'supervisor',
      pid: state.supervisorPid,
      alive: supervisorAlive,
      port: state.controlPort,
      rssKb: rssKb(state.supervisorPid),
    },
  ];

  let primaryOffset: number | undefined;
  // A cluster's masters are listed with its other nodes (clusterEntries).
  if (state.cluster) {
    // nothing here
  } else if (state.primary) {
    const { pid, port, region } = state.primary;
    const entry: ProcessStatus = {
      name: region,
      role: 'primary',
      pid,
      alive: pidAlive(pid),
      port,
      rssKb: rssKb(pid),
    };
    try {
      const info = await redisInfo(port, probeAccess(state));
      primaryOffset = Number(info.master_repl_offset);
      entry.connectedReplicas = Number(info.connected_slaves ?? 0);
      entry.link = info.role === 'master' ? 'primary' : `unexpected role ${info.role}`;
    } catch {
      entry.link = 'unreachable';
      problems.push(`primary ${region} does not answer on :${port}`);
    }
    processes.push(entry);
  } else {
    problems.push('no primary recorded');
  }

  const replicaEntries = await Promise.all(
    state.replicas.map(async (replica): Promise<ProcessStatus> => {
      const proxy = proxies?.find((p) => p.name === replica.region);
      const entry: ProcessStatus = {
        name: replica.region,
        role: 'replica',
        pid: replica.pid,
        alive: pidAlive(replica.pid),
        port: replica.port,
        rssKb: rssKb(replica.pid),
        proxyPort: replica.proxyPort,
        delayMs: proxy?.delayMs ?? replica.delayMs,
        partitioned: proxy?.partitioned ?? replica.partitioned,
        ...(proxy ? { queuedBytes: proxy.queuedBytes } : {}),
      };
      try {
        const info = await redisInfo(replica.port, probeAccess(state));
        entry.link = info.master_link_status ?? `role ${info.role}`;
        if (info.master_link_down_since_seconds)
          entry.linkDownSinceS = Number(info.master_link_down_since_seconds);
        const applied = Number(info.slave_repl_offset);
        entry.lagBytes =
          primaryOffset !== undefined && Number.isFinite(applied)
            ? Math.max(0, primaryOffset - applied)
            : null;
      } catch {
        entry.link = 'unreachable';
      }
      if (entry.link !== 'up')
        problems.push(
          `replica ${replica.region}: link ${entry.link}${entry.partitioned ? ' (partitioned)' : ''}`,
        );
      return entry;
    }),
  );
  processes.push(...replicaEntries, ...(await clusterEntries(state, problems, clusterQueued)));

  if (state.mongo) {
    const { pid, port, tier } = state.mongo;
    // An external MongoDB is not ours to watch; a child we started must be alive.
    const alive = tier === 'external' ? true : pidAlive(pid);
    if (!alive) problems.push(`mongo (${tier}) is not running`);
    processes.push({ name: 'mongo', role: 'mongo', pid, alive, port, rssKb: rssKb(pid), tier });
  } else if (state.config.mongo !== 'off') {
    problems.push('mongo not started');
  }

  if (state.phase !== 'ready')
    problems.push(`phase ${state.phase}${state.error ? `: ${state.error}` : ''}`);
  const totalRssKb = processes.reduce((sum, p) => sum + (p.rssKb ?? 0), 0);
  return {
    dir: state.dir,
    phase: state.phase,
    supervisorAlive,
    healthy: problems.length === 0,
    problems,
    processes,
    totalRssKb,
  };
}
