import 'server-only';
import { recentLatencies } from '@/lib/db/arrivals';
import { summariseLatencies, type RegionLatency } from '@/lib/arrivals/latency';
import { listRegions } from '@/lib/regions';

/** p50/p99 time to arrive per region over recent saves (the newest `limit` arrivals since `since`). */
export async function latencyStats({
  since,
  limit,
  appId,
}: {
  since: Date;
  limit: number;
  appId?: string;
}): Promise<RegionLatency[]> {
  return Promise.all(
    listRegions().map(async (region) =>
      summariseLatencies(
        region.name,
        await recentLatencies({ region: region.name, since, limit, appId }),
      ),
    ),
  );
}
