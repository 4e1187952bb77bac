import type { FleetApp, FleetStatus } from '@/lib/propagation/status';
import { stateSeverity, type RegionStateName } from '@/lib/propagation/states';

export interface FleetFilter {
  state?: RegionStateName;
  region?: string;
  limit: number;
}

export interface FilteredFleet extends FleetStatus {
  /** Apps the caller may see, before filtering. */
  total: number;
  /** Of those, apps with at least one region not in sync. */
  notInSync: number;
  /** Apps that match the filter (the list may be cut at `limit`). */
  matching: number;
}

/**
 * A region filter narrows what counts: the state filter and the ordering then look at that
 * region only. The state filter keeps apps with at least one counted region in that state.
 */
export function filterFleet(fleet: FleetStatus, filter: FleetFilter): FilteredFleet {
  const counted = (app: FleetApp) =>
    filter.region ? app.regions.filter((r) => r.name === filter.region) : app.regions;
  const worstOf = (app: FleetApp): number =>
    Math.max(0, ...counted(app).map((r) => stateSeverity[r.state]));
  let apps = fleet.apps;
  if (filter.state) apps = apps.filter((app) => counted(app).some((r) => r.state === filter.state));
  // Stable: within equal severity the status order (behind count, tenant, name) is kept.
  if (filter.region) apps = [...apps].sort((a, b) => worstOf(b) - worstOf(a));
  return {
    ...fleet,
    apps: apps.slice(0, filter.limit),
    total: fleet.apps.length,
    notInSync: fleet.apps.filter((a) => a.behind > 0).length,
    matching: apps.length,
  };
}
