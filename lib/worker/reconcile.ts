import 'server-only';
import { getCacheState } from '@/lib/db/cache-state';
import { enqueueDeploymentPush } from '@/lib/db/deployment-outbox';
import { readVersions } from '@/lib/db/config-versions';
import { readHeads, repairHeadVersions } from '@/lib/db/heads';
import { writeTargets } from '@/lib/model/migration';
import { pushVersion } from '@/lib/propagation/push-version';
import { readRegion } from '@/lib/propagation/read-stamps';
import { findDeployment, regionsOf } from '@/lib/regions';
import { headsMissingFromPrimary } from '@/lib/worker/select';

export interface ReconcileOutcome {
  heads: number;
  missing: number;
  repushed: number;
}

/**
 * The cache is disposable and MongoDB is the truth: a primary that restarted empty (and wiped its
 * replicas on resync) gets every head back. One aggregation for the heads, one pipelined read of
 * the active deployment's primary, then a compare-and-set push of each missing head; pushing
 * twice is harmless. The other side of a migration (once its backfill is done) gets what it lacks
 * queued in its own outbox, which covers a save that raced the start of dual writes.
 */
export async function reconcileHeads(): Promise<ReconcileOutcome> {
  const state = await getCacheState();
  const [active, ...others] = writeTargets(state);
  const heads = await readHeads();
  const outcome: ReconcileOutcome = { heads: heads.length, missing: 0, repushed: 0 };
  const backfilled = Boolean(state.migration?.backfill.finishedAt);
  if (!active) throw new Error('no active cache deployment');
  for (const name of [active, ...(backfilled ? others : [])]) {
    const deployment = findDeployment(name);
    const [primaryRegion] = deployment ? regionsOf(deployment) : [];
    if (!primaryRegion) throw new Error(`deployment ${name} is not declared here`);
    const primary = await readRegion(
      primaryRegion,
      heads.map((h) => h.appId),
    );
    if (!primary.reachable) {
      if (name === active)
        throw new Error(`primary not reachable: ${primary.error ?? 'no answer'}`);
      continue; // its outbox entries wait for it
    }
    const missing = headsMissingFromPrimary(heads, primary.stamps);
    outcome.missing += missing.length;
    if (name !== active) {
      for (const head of missing)
        await enqueueDeploymentPush({ deployment: name, appId: head.appId, version: head.version });
      continue;
    }
    for (const doc of await readVersions(missing)) {
      const result = await pushVersion(doc);
      if (!result.pushed)
        throw new Error(`re-push of ${doc.appId} v${doc.version} failed: ${result.error}`);
      outcome.repushed += 1;
    }
  }
  return outcome;
}

/** apps.headVersion is materialised for cheap lists; a save that died midway leaves it behind. */
export async function repairMaterialisedHeads(): Promise<number> {
  return repairHeadVersions(await readHeads());
}
