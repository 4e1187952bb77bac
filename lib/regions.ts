import { initialDeployment } from '@/lib/deployments/registry';
import type { CacheDeployment, ConnectionSettings } from '@/lib/deployments/spec';
import type { RegionRole } from '@/lib/model/region-states';

export type { RegionRole };

export interface Region {
  name: string;
  url: string;
  role: RegionRole;
  /** The cache deployment the endpoint belongs to (a region name repeats across deployments). */
  deployment: string;
  connection: ConnectionSettings;
}

/** A deployment's regions: the primary first, then the replicas in the order it lists them. */
export function regionsOf(d: CacheDeployment): Region[] {
  return [d.primary, ...d.replicas].map((e) => ({
    name: e.region,
    url: e.url,
    role: e.role,
    deployment: d.name,
    connection: d.connection,
  }));
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
