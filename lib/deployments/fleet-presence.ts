import 'server-only';
import { z } from 'zod';
import { FLEET_INDEX_KEY, INSTANCE_ID_PATTERN, presenceKey } from '@/lib/contract/report-layout';
import { deploymentName, regionName } from '@/lib/model/deployment-spec';
import { readIndexedEntries } from '@/lib/contract/redis-batch';
import { deploymentPrimaryRedis } from '@/lib/redis/clients';
import type { InstanceFact } from '@/lib/model/migration-gates';

/** Presence entries come from services: validated, and dropped when they do not. */
const presenceSchema = z.strictObject({
  instanceId: z.string().regex(INSTANCE_ID_PATTERN),
  region: regionName,
  deployment: deploymentName,
  epoch: z.number().int().nonnegative(),
  reaches: z.record(deploymentName, z.boolean()),
  retired: z.array(deploymentName).max(20).optional(),
  apps: z.number().int().nonnegative(),
  reportedAt: z.number().int().nonnegative(),
  intervalMs: z.number().int().min(100).max(3_600_000),
});

export type Presence = z.infer<typeof presenceSchema>;

const MAX_FLEET = 2_000;

async function readFrom(deployment: string): Promise<Presence[]> {
  const entries = await readIndexedEntries(
    deploymentPrimaryRedis(deployment),
    FLEET_INDEX_KEY,
    MAX_FLEET,
    presenceKey,
  );
  return entries.flatMap((raw) => {
    if (raw === null) return [];
    try {
      const parsed = presenceSchema.safeParse(JSON.parse(raw));
      return parsed.success ? [parsed.data] : [];
    } catch {
      return [];
    }
  });
}

/**
 * The instances that reported recently (within three of their periods), from every deployment
 * given (an instance reports to the one it reads from, so during a migration it may appear in
 * both: its newest entry wins). A deployment that does not answer is skipped.
 */
export async function readFleet(
  deployments: readonly string[],
  now = Date.now(),
): Promise<InstanceFact[]> {
  const reads = await Promise.allSettled(deployments.map(readFrom));
  const newest = new Map<string, Presence>();
  for (const read of reads) {
    if (read.status !== 'fulfilled') continue;
    for (const p of read.value) {
      const seen = newest.get(p.instanceId);
      if (!seen || p.reportedAt > seen.reportedAt) newest.set(p.instanceId, p);
    }
  }
  return [...newest.values()]
    .filter((p) => now - p.reportedAt <= 3 * p.intervalMs)
    .sort((a, b) => a.region.localeCompare(b.region) || a.instanceId.localeCompare(b.instanceId))
    .map((p) => ({
      instanceId: p.instanceId,
      region: p.region,
      deployment: p.deployment,
      reaches: p.reaches,
    }));
}
