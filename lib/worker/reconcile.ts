import 'server-only';
import { readVersions } from '@/lib/db/config-versions';
import { readHeads, repairHeadVersions } from '@/lib/db/heads';
import { pushVersion } from '@/lib/propagation/push-version';
import { readRegion } from '@/lib/propagation/read-stamps';
import { primaryRegion } from '@/lib/regions';
import { headsMissingFromPrimary } from '@/lib/worker/select';

export interface ReconcileOutcome {
  heads: number;
  missing: number;
  repushed: number;
}

/**
 * The cache is disposable and MongoDB is the truth: a primary that restarted empty (and wiped its
 * replicas on resync) gets every head back. One aggregation for the heads, one pipelined read of
 * the primary, then a compare-and-set push of each missing head; pushing twice is harmless.
 */
export async function reconcileHeads(): Promise<ReconcileOutcome> {
  const heads = await readHeads();
  const primary = await readRegion(
    primaryRegion(),
    heads.map((h) => h.appId),
  );
  if (!primary.reachable) throw new Error(`primary not reachable: ${primary.error ?? 'no answer'}`);
  const missing = headsMissingFromPrimary(heads, primary.stamps);
  const docs = await readVersions(missing);
  let repushed = 0;
  for (const doc of docs) {
    const result = await pushVersion(doc);
    if (!result.pushed)
      throw new Error(`re-push of ${doc.appId} v${doc.version} failed: ${result.error}`);
    repushed += 1;
  }
  return { heads: heads.length, missing: missing.length, repushed };
}

/** apps.headVersion is materialised for cheap lists; a save that died midway leaves it behind. */
export async function repairMaterialisedHeads(): Promise<number> {
  return repairHeadVersions(await readHeads());
}
