import type { FleetRegion } from '@/lib/propagation/fleet-status';

/** A reachable region as the fleet lists it, for the fleet's pure tests. */
export const fleetRegion = (
  name: string,
  role: FleetRegion['role'] = 'replica',
  deployment = 'd',
): FleetRegion => ({
  name,
  role,
  deployment,
  reachable: true,
  unreachableSince: null,
  lastError: null,
});
