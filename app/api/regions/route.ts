import { defineRoute, noParams, noQuery } from '@/lib/api/define-route';
import { checkRegions } from '@/lib/regions-health/region-health';

export const dynamic = 'force-dynamic';

export const GET = defineRoute(
  { name: 'regions', permission: 'propagation:read', params: noParams, query: noQuery },
  async () => ({ regions: await checkRegions() }),
);
