import 'server-only';
import { instanceReportKey, instancesIndexKey } from '@/lib/contract/report-layout';
import { parseInstanceReport, type ValidInstanceReport } from '@/lib/instances/report-schema';
import { readIndexedEntries } from '@/lib/contract/redis-batch';
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
  const entries = await readIndexedEntries(redis, instancesIndexKey(appId), MAX_INSTANCES, (id) =>
    instanceReportKey(appId, id),
  );
  return entries.flatMap((raw) => {
    const report = parseInstanceReport(raw, appId);
    return report ? [report] : [];
  });
}
