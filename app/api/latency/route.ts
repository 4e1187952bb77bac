import { defineRoute, noParams } from '@/lib/api/define-route';
import { requirePermission } from '@/lib/auth/authorize';
import { getAppForPrincipalOrThrow } from '@/lib/db/apps';
import { latencyStats } from '@/lib/arrivals/latency-stats';
import { latencyQuerySchema } from '@/lib/schemas/propagation';

export const dynamic = 'force-dynamic';

/**
 * p50/p99 time to arrive per region over recent saves. For one app (`?appId=`, tenant-checked),
 * or across every tenant's saves, which only support may read.
 */
export const GET = defineRoute(
  { name: 'latency', permission: 'propagation:read', params: noParams, query: latencyQuerySchema },
  async ({ principal, query }) => {
    if (query.appId) await getAppForPrincipalOrThrow(principal, query.appId);
    else requirePermission(principal, 'fleet:read');
    const since = new Date(Date.now() - query.hours * 3_600_000);
    const regions = await latencyStats({ since, limit: query.limit, appId: query.appId });
    return { regions, since: since.getTime(), hours: query.hours, appId: query.appId ?? null };
  },
);
