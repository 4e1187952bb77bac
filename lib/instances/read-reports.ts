import 'server-only';
import type { Redis } from 'ioredis';
import { instanceReportKey, instancesIndexKey } from '@/lib/contract/report-layout';
import { parseInstanceReport, type ValidInstanceReport } from '@/lib/instances/report-schema';

/** Enough for any real fleet of one app; the most recently heard from come first. */
export const MAX_INSTANCES = 500;

/**
 * The instance reports of one app from the primary Redis: the index (newest first), then every
 * report in one pipelined round trip. Reports that expired between the two reads, or that do not
 * validate, are left out.
 */
export async function readInstanceReports(
  redis: Redis,
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
  // GETs in a pipeline rather than MGET: the keys may live on different cluster slots.
  const pipeline = redis.pipeline();
  for (const id of ids) pipeline.get(instanceReportKey(appId, id));
  const results = (await pipeline.exec()) ?? [];
  return results.flatMap(([error, raw]) => {
    if (error) return [];
    const report = parseInstanceReport(typeof raw === 'string' ? raw : null, appId);
    return report ? [report] : [];
  });
}
