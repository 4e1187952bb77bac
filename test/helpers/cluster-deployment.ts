import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { configKey } from '../../lib/contract/cache-layout';
import { announcedPort, type ClusterNodeRecord } from '../../devstack/cluster';
import { declarationOf } from '../../devstack/deployments';
import { up, type StackInfo } from '../../devstack/stack';
import { deploymentDir, stackCredentials } from '../../devstack/state';
import { connectionAs, type StackUser } from '../../devstack/endpoints';

/**
 * For integration tests against a Redis Cluster deployment: a cluster of three shards (primary
 * us-east-1, replicas in eu-west-1 and ap-south-1, no delay) runs beside the int devstack as a
 * stack of its own, with its users and its faults. Call before importing anything that reads the env: it declares the cache deployments and
 * moves the suite to a database of its own.
 */
export interface ClusterDeployment {
  stack: StackInfo;
  nodes: ClusterNodeRecord[];
  /** The node URLs of a region. */
  urls(region: string): string[];
}

/** The cluster stack beside the int devstack, started or reused (every suite asks the same). */
export async function clusterBesideStack(): Promise<ClusterDeployment> {
  const dir = process.env.PROPAGATE_DEVSTACK_DIR;
  if (!dir) throw new Error('run with `vitest run --project int`');
  const stack = await up({
    dir: deploymentDir(dir, 'cluster'),
    primaryRegion: 'us-east-1',
    regions: [
      { name: 'eu-west-1', delayMs: 0 },
      { name: 'ap-south-1', delayMs: 0 },
    ],
    mongo: false,
    cluster: true,
    credentials: stackCredentials(dir),
  });
  const nodes = stack.state.cluster ?? [];
  return {
    stack,
    nodes,
    urls: (region) =>
      nodes
        .filter((n) => n.region === region)
        .sort((a, b) => a.shard - b.shard)
        .map((n) => `redis://127.0.0.1:${announcedPort(n)}`),
  };
}

function declare(declarations: unknown[]): void {
  process.env.CACHE_DEPLOYMENTS = JSON.stringify(declarations);
  delete process.env.REDIS_PRIMARY_URL;
  delete process.env.REDIS_REPLICAS;
  delete process.env.CACHE_DEPLOYMENTS_FILE;
  process.env.MONGODB_DB = `propagate-cl-${randomBytes(4).toString('hex')}`;
}

/** The cluster as the one (active) cache deployment, named `cluster`. */
export async function declareClusterDeployment(): Promise<ClusterDeployment> {
  const cluster = await clusterBesideStack();
  declare([declarationOf('cluster', cluster.stack.env)]);
  return cluster;
}

/** A node of a deployment, whatever its kind: a plain primary or replica, or a cluster node. */
export interface KindNode {
  region: string;
  role: 'primary' | 'replica';
  url: string;
  /** Cluster nodes: the shard (0-2); a plain deployment has one. */
  shard: number;
}

/** One cache deployment of a kind, for suites that run on both (describe.each). */
export interface DeploymentKind {
  kind: 'plain' | 'cluster';
  /** The deployment's name in CACHE_DEPLOYMENTS. */
  name: string;
  nodes: KindNode[];
  /** The stack directory whose `fault`s and `status` act on this deployment. */
  dir: string;
}

/** The node URLs of a region, in shard order. */
export const urlsOf = (kind: DeploymentKind, region: string): string[] =>
  kind.nodes.filter((n) => n.region === region).map((n) => n.url);

/**
 * Both kinds declared side by side: the int devstack's own deployment as `home` (one primary,
 * a replica per region) and the cluster as `cluster`. Suites name the deployment they use.
 * `first` is declared first, so it is the active deployment before any migration.
 */
export async function declarePlainAndCluster({
  first = 'home',
}: { first?: 'home' | 'cluster' } = {}): Promise<DeploymentKind[]> {
  const cluster = await clusterBesideStack();
  const env = process.env as Record<string, string>;
  const home = declarationOf('home', env);
  const both = [home, declarationOf('cluster', cluster.stack.env)];
  declare(first === 'home' ? both : both.reverse());
  return [
    {
      kind: 'plain',
      name: 'home',
      dir: env.PROPAGATE_DEVSTACK_DIR ?? '',
      nodes: [
        { region: home.primary.region, role: 'primary', url: home.primary.url, shard: 0 },
        ...(home.replicas ?? []).map((r) => ({
          region: r.region,
          role: 'replica' as const,
          url: r.url,
          shard: 0,
        })),
      ],
    },
    clusterKind(cluster),
  ];
}

/** The cluster as a deployment kind named `cluster`, its nodes at their announced addresses. */
export function clusterKind(cluster: ClusterDeployment): DeploymentKind {
  return {
    kind: 'cluster',
    name: 'cluster',
    dir: cluster.stack.dir,
    nodes: [...cluster.nodes]
      .sort((a, b) => a.shard - b.shard)
      .map((n) => ({
        region: n.region,
        role: n.role,
        url: `redis://127.0.0.1:${announcedPort(n)}`,
        shard: n.shard,
      })),
  };
}

/** One node, as one of the stack's users (a plain connection: no redirects). */
export function nodeAs(user: StackUser, node: { url: string } | ClusterNodeRecord): Redis {
  const url = 'url' in node ? node.url : `redis://127.0.0.1:${node.port}`;
  return new Redis(url, { maxRetriesPerRequest: 1, ...connectionAs(user, url) });
}

/** A whole deployment as one of the stack's users: routed by slot on a cluster. */
export function deploymentAs(user: StackUser, kind: DeploymentKind): Redis | Cluster {
  const primary = kind.nodes.find((n) => n.role === 'primary');
  if (!primary) throw new Error(`${kind.name} has no primary`);
  if (kind.kind === 'plain') return nodeAs(user, primary);
  const { hostname, port } = new URL(primary.url);
  return new Cluster([{ host: hostname, port: Number(port) }], {
    redisOptions: connectionAs(user, primary.url),
  });
}

/** New app ids per deployment for a suite, and the removal of their entries at its end. */
export function appsWritten(kinds: readonly DeploymentKind[], prefix: string) {
  const written = new Map<string, string[]>();
  return {
    newApps: (kind: DeploymentKind, count: number): string[] => {
      const ids = Array.from(
        { length: count },
        () => `${prefix}-${randomBytes(5).toString('hex')}`,
      );
      written.set(kind.name, [...(written.get(kind.name) ?? []), ...ids]);
      return ids;
    },
    removeAll: async (): Promise<void> => {
      for (const kind of kinds) {
        const admin = deploymentAs('admin', kind);
        await Promise.all((written.get(kind.name) ?? []).map((id) => admin.del(configKey(id))));
        admin.disconnect();
      }
    },
  };
}
