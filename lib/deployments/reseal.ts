import 'server-only';
import { configKey } from '@/lib/contract/cache-layout';
import { sealedKeyIds, type SealingKey } from '@/lib/contract/secret-envelope';
import { getCacheState } from '@/lib/db/cache-state';
import { BACKFILL_BATCH, readHeadPage } from '@/lib/deployments/backfill';
import { writeTargets } from '@/lib/model/migration';
import { cacheSealingKey } from '@/lib/propagation/cache-sealing';
import { resealOnPrimary } from '@/lib/propagation/push';
import { deploymentPrimaryRedis } from '@/lib/redis/clients';

export interface ResealReport {
  deployment: string;
  /** Heads that are configs (tombstones carry no secrets). */
  configs: number;
  /** Bodies rewritten with the sealing key. */
  resealed: number;
  /** After the pass, how many of those entries hold secrets sealed with each key id. */
  keyIds: Record<string, number>;
}

/**
 * After a key rotation: rewrites the body of every head's entry in a deployment's primary with
 * the current sealing key, a page of heads at a time, then counts which key ids the entries
 * name. An entry at another version (a save landed meanwhile, sealed with the new key anyway) or
 * with another checksum (diverged) is left alone; replication carries the new bodies to the
 * regions. Once `keyIds` names only the new key everywhere, the old one can leave the keyrings.
 */
export async function resealHeads({
  deployment,
  key = cacheSealingKey(),
  batch = BACKFILL_BATCH,
}: {
  deployment: string;
  key?: SealingKey | null;
  batch?: number;
}): Promise<ResealReport> {
  const redis = deploymentPrimaryRedis(deployment);
  const report: ResealReport = { deployment, configs: 0, resealed: 0, keyIds: {} };
  let cursor: string | null = null;
  for (;;) {
    const page = await readHeadPage(cursor, batch);
    if (!page) return report;
    cursor = page.cursor;
    const configs = page.docs.filter((d) => d.archived !== true);
    const rewritten = await resealOnPrimary(
      redis,
      configs.map((d) => ({ ...d, sealingKey: key })),
    );
    report.configs += configs.length;
    report.resealed += rewritten.filter(Boolean).length;
    const bodies = await Promise.all(configs.map((d) => redis.hget(configKey(d.appId), 'body')));
    for (const body of bodies) {
      if (body === null) continue;
      for (const kid of sealedKeyIds(JSON.parse(body)))
        report.keyIds[kid] = (report.keyIds[kid] ?? 0) + 1;
    }
  }
}

/** resealHeads on every deployment pushes go to (both sides during a migration). */
export async function resealAllHeads(
  options: { key?: SealingKey | null; batch?: number } = {},
): Promise<ResealReport[]> {
  const reports: ResealReport[] = [];
  for (const deployment of writeTargets(await getCacheState()))
    reports.push(await resealHeads({ deployment, ...options }));
  return reports;
}
