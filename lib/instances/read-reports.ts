import 'server-only';
import { instanceReportKey, instancesIndexKey } from '@/lib/contract/report-layout';
import { parseInstanceReport, type ValidInstanceReport } from '@/lib/instances/report-schema';
import { batch } from '@/lib/contract/redis-batch';
import type { RedisClient } from '@/lib/redis/clients';

/** Enough for any real fleet of one app; the most recently heard from come first. */
export const MAX_INSTANCES = 500;

/**
 * The instance reports of one app from the primary Redis: the index (newest first), then every
 * report in one pipelined round trip. Reports that expired between the two reads, or that do not
 * validate, are left out.
 */
export async function readInstanceReports(
  redis: RedisClient,
  appId: string,
): Promise<ValidInstanceReport[]> {
  const ids = await redis.zrange(
    instancesIndexKey(appId),
    '+inf',
    '-inf',
    'BYSCORE',
    'REV',
    'LIMIT',
    0,
    MAX_INSTANCES,
  );
  if (ids.length === 0) return [];
  // GETs in one batch rather than MGET: the keys may live on different cluster slots.
  const results = await batch(
    redis,
    ids.map((id) => ['get', instanceReportKey(appId, id)]),
  );
  return results.flatMap(([error, raw]) => {
    if (error) return [];
    const report = parseInstanceReport(typeof raw === 'string' ? raw : null, appId);
    return report ? [report] : [];
  });
}
