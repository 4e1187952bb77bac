import { env } from '@/lib/env';
import { loadCacheDeployments } from '@/lib/env-spec';
import type { CacheDeployment, ConnectionSettings } from '@/lib/model/deployment-spec';
import type { RegionRole } from '@/lib/model/region-states';

export type { RegionRole };

/**
 * The cache deployments the environment declares and their regions: the registry every
 * connection, the push and the migration read. Validated once, at first use.
 */

let declared: CacheDeployment[] | undefined;

/** Every cache deployment the environment declares. */
export function listDeployments(): CacheDeployment[] {
  declared ??= loadCacheDeployments(env);
  return declared;
}

export function findDeployment(name: string): CacheDeployment | undefined {
  return listDeployments().find((d) => d.name === name);
}

/** The deployment services read from until MongoDB records a cut-over: the first declared. */
export function initialDeployment(): CacheDeployment {
  const [first] = listDeployments();
  if (!first) throw new Error('no cache deployment declared');
  return first;
}

export interface Region {
  name: string;
  url: string;
  role: RegionRole;
  /** The cache deployment the endpoint belongs to (a region name repeats across deployments). */
  deployment: string;
  connection: ConnectionSettings;
  /** Set when the deployment is a Redis Cluster: `url` and `nodes` are the region's nodes. */
  cluster?: true;
  nodes?: string[];
}

/** A deployment's regions: the primary first, then the replicas in the order it lists them. */
export function regionsOf(d: CacheDeployment): Region[] {
  return [d.primary, ...d.replicas].map((e) => ({
    name: e.region,
    url: e.url,
    role: e.role,
    deployment: d.name,
    connection: d.connection,
    ...(d.cluster && { cluster: true as const, nodes: e.nodes ?? [] }),
  }));
}

/**
 * Whether an update message heard on this region means the region holds the data. On a plain
 * replica it does: the PUBLISH travels in the replication stream right behind the write. In a
 * Redis Cluster a PUBLISH is broadcast over the cluster bus to every node at once, apart from
 * replication, so only the primary's message says anything; the regions are read instead.
 */
export function messageMeansArrival(region: Region): boolean {
  return !region.cluster || region.role === 'primary';
}

/** The regions of the deployment services start on. */
export function listRegions(): Region[] {
  return regionsOf(initialDeployment());
}

export function primaryRegion(): Region {
  const [primary] = listRegions();
  if (!primary) throw new Error('no primary region configured');
  return primary;
}
