import { defineRoute, noParams } from '@/lib/api/define-route';
import { tenantScope } from '@/lib/auth/authorize';
import { listAppListings } from '@/lib/db/apps';
import { filterFleet } from '@/lib/propagation/fleet-filter';
import { fleetStatus } from '@/lib/propagation/status';
import { fleetQuerySchema } from '@/lib/schemas/propagation';

export const dynamic = 'force-dynamic';

/**
 * Every app the caller may see, in every region: one pipelined read per region however many apps.
 * Apps with a region not in sync come first; `tenant`, `state` and `region` narrow the list.
 */
export const GET = defineRoute(
  {
    name: 'fleet-propagation',
    permission: 'propagation:read',
    params: noParams,
    query: fleetQuerySchema,
  },
  async ({ principal, query }) => {
    const scope = tenantScope(principal);
    // A tenant-bound caller asking for another tenant gets an empty list, never someone else's apps.
    if (query.tenant && scope.tenantId && query.tenant !== scope.tenantId) {
      return filterFleet(await fleetStatus([]), query);
    }
    const apps = await listAppListings(query.tenant ? { tenantId: query.tenant } : scope);
    return filterFleet(await fleetStatus(apps), query);
  },
);
