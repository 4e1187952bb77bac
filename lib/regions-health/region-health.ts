import type { RegionRole } from '@/lib/regions';

/**
 * A region's health as the Regions page shows it. There is one probe of a region (the status
 * observer's scan: one pipeline with INFO replication, bounded by the region timeout); this only
 * shapes what it found, so the Regions page and every status answer always agree.
 */
export interface RegionHealth {
  name: string;
  role: RegionRole;
  /** Its cache deployment, and whether services read from it (two are live during a migration). */
  deployment?: string;
  active?: boolean;
  reachable: boolean;
  /** Round trip of the last scan from this server, in ms; null when unreachable. */
  roundTripMs: number | null;
  /** Replicas: whether the replication link to the primary is up. Primary: null. */
  linkUp: boolean | null;
  linkDownSinceSeconds: number | null;
  connectedReplicas: number | null;
  error: string | null;
  /** When the region was first seen not answering (ms), while it does not. */
  unreachableSince: number | null;
  checkedAt: number;
}

export interface ProbedRegion {
  region: { name: string; role: RegionRole };
  reachable: boolean;
  roundTripMs: number | null;
  linkUp: boolean | null;
  linkDownForMs: number | null;
  connectedReplicas: number | null;
  error: string | null;
  unreachableSince: number | null;
  checkedAt: number;
}

export function toRegionHealth(probe: ProbedRegion): RegionHealth {
  return {
    name: probe.region.name,
    role: probe.region.role,
    reachable: probe.reachable,
    roundTripMs: probe.roundTripMs,
    linkUp: probe.linkUp,
    linkDownSinceSeconds:
      probe.linkDownForMs != null ? Math.round(probe.linkDownForMs / 1_000) : null,
    connectedReplicas: probe.connectedReplicas,
    error: probe.error,
    unreachableSince: probe.unreachableSince,
    checkedAt: probe.checkedAt,
  };
}
