import { env } from '@/lib/env';

export type RegionRole = 'primary' | 'replica';

export interface Region {
  name: string;
  url: string;
  role: RegionRole;
}

/** The primary first, then the replicas in the order the deployment lists them. */
export function listRegions(): Region[] {
  return [
    { name: env.REDIS_PRIMARY_REGION, url: env.REDIS_PRIMARY_URL, role: 'primary' },
    ...env.REDIS_REPLICAS.map((r) => ({ ...r, role: 'replica' as const })),
  ];
}

export function primaryRegion(): Region {
  const [primary] = listRegions();
  if (!primary) throw new Error('no primary region configured');
  return primary;
}
