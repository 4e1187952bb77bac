import { defineRoute, noParams } from '@/lib/api/define-route';
import { jsonWithEtag } from '@/lib/api/json-etag';
import { tenantScope } from '@/lib/auth/authorize';
import { readFleet } from '@/lib/propagation/read-status';
import { fleetQuerySchema } from '@/lib/schemas/propagation';

export const dynamic = 'force-dynamic';

/**
 * A page of every app the caller may see, in every region, from the status observer. Apps with
 * a region not in sync come first; `tenant`, `state` and `region` narrow the list, `offset` and
 * `limit` page it; the counts at the top cover the whole scope. ETag: unchanged → 304.
 */
export const GET = defineRoute(
  {
    name: 'fleet-propagation',
    permission: 'propagation:read',
    params: noParams,
    query: fleetQuerySchema,
  },
  async ({ principal, query, request }) => {
    const scope = tenantScope(principal);
    // A tenant-bound caller asking for another tenant gets an empty list, never someone else's apps.
    const foreign = Boolean(query.tenant && scope.tenantId && query.tenant !== scope.tenantId);
    const fleet = await readFleet(
      { ...query, tenant: query.tenant ?? scope.tenantId },
      { none: foreign },
    );
    return jsonWithEtag(request, fleet);
  },
);
