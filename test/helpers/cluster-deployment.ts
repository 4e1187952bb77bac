import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import type { ClusterNodeRecord } from '../../devstack/cluster';
import { declarationOf } from '../../devstack/deployments';
import { up, type StackInfo } from '../../devstack/stack';
import { deploymentDir, stackCredentials } from '../../devstack/state';
import { connectionAs, type StackUser } from '../../devstack/endpoints';

/**
 * For integration tests against a Redis Cluster deployment: a cluster of three shards (primary
 * us-east-1, replicas in eu-west-1) runs beside the int devstack as a stack of its own, with its
 * users. Call before importing anything that reads the env: it declares the cluster as the one
 * (active) cache deployment and moves the suite to a database of its own.
 */
export interface ClusterDeployment {
  stack: StackInfo;
  nodes: ClusterNodeRecord[];
  /** The node URLs of a region. */
  urls(region: string): string[];
}

export async function declareClusterDeployment(name = 'cluster'): Promise<ClusterDeployment> {
  const dir = process.env.PROPAGATE_DEVSTACK_DIR;
  if (!dir) throw new Error('run with `vitest run --project int`');
  const stack = await up({
    dir: deploymentDir(dir, 'cluster'),
    primaryRegion: 'us-east-1',
    regions: [{ name: 'eu-west-1', delayMs: 0 }],
    mongo: false,
    cluster: true,
    credentials: stackCredentials(dir),
  });
  process.env.CACHE_DEPLOYMENTS = JSON.stringify([declarationOf(name, stack.env)]);
  delete process.env.REDIS_PRIMARY_URL;
  delete process.env.REDIS_REPLICAS;
  delete process.env.CACHE_DEPLOYMENTS_FILE;
  process.env.MONGODB_DB = `propagate-cl-${randomBytes(4).toString('hex')}`;
  const nodes = stack.state.cluster ?? [];
  return {
    stack,
    nodes,
    urls: (region) =>
      nodes
        .filter((n) => n.region === region)
        .sort((a, b) => a.shard - b.shard)
        .map((n) => `redis://127.0.0.1:${n.port}`),
  };
}

/** One node of the cluster, as one of the stack's users (a plain connection: no redirects). */
export function nodeAs(user: StackUser, node: ClusterNodeRecord): Redis {
  const url = `redis://127.0.0.1:${node.port}`;
  return new Redis(url, { maxRetriesPerRequest: 1, ...connectionAs(user, url) });
}

/** The whole cluster as one of the stack's users, routed by slot. */
export function clusterAs(user: StackUser, node: ClusterNodeRecord): Cluster {
  const url = `redis://127.0.0.1:${node.port}`;
  return new Cluster([{ host: '127.0.0.1', port: node.port }], {
    redisOptions: connectionAs(user, url),
  });
}
