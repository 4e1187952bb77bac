import { defineRoute, noParams, noQuery } from '@/lib/api/define-route';
import { readRegionHealth } from '@/lib/propagation/read-status';

export const dynamic = 'force-dynamic';

/** Every region's health, from the status observer's last scan (the one probe of a region). */
export const GET = defineRoute(
  { name: 'regions', permission: 'propagation:read', params: noParams, query: noQuery },
  async () => ({ regions: await readRegionHealth() }),
);
