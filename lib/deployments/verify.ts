import 'server-only';
import { env } from '@/lib/env';
import { getCacheState, recordVerifyState } from '@/lib/db/cache-state';
import { readHeads } from '@/lib/db/heads';
import {
  countProblems,
  diffRegion,
  recordVerify,
  writeTargets,
  type VerifyState,
} from '@/lib/model/migration';
import { readAllRegions } from '@/lib/propagation/read-stamps';
import { findDeployment, regionsOf } from '@/lib/regions';

/**
 * The continuous diff: every head in MongoDB against every region of the deployment pushes go to
 * besides the active one (the target before cut-over, the source after it, so a rollback is as
 * safe as the cut-over was). Missing, older and mismatched entries and regions that do not answer
 * or are cut off from their primary all restart the clean window.
 */
export async function verifyPass({ now = () => Date.now() } = {}): Promise<VerifyState | null> {
  const state = await getCacheState();
  const m = state.migration;
  const other = writeTargets(state)[1];
  if (!m || !other || !m.backfill.finishedAt) return null;
  const deployment = findDeployment(other);
  if (!deployment) throw new Error(`deployment ${other} is not declared here`);
  const heads = await readHeads();
  const read = await readAllRegions(
    heads.map((h) => h.appId),
    { regions: regionsOf(deployment) },
  );
  const at = now();
  const regionsOutOfSync: VerifyState['regionsOutOfSync'] = [];
  const offending: VerifyState['offending'] = [];
  for (const r of read.regions) {
    if (!r.reachable) {
      regionsOutOfSync.push({ region: r.region.name, reason: 'not reachable' });
      continue;
    }
    if (r.linkUp === false) {
      regionsOutOfSync.push({ region: r.region.name, reason: 'replication link down' });
      continue;
    }
    offending.push(
      ...diffRegion({
        region: r.region.name,
        heads,
        stamps: r.stamps,
        now: at,
        graceMs: env.LAG_BUDGET_MS,
      }),
    );
  }
  const verify = recordVerify(m.verify, {
    at: new Date(at),
    counts: countProblems(offending),
    offending,
    regionsOutOfSync,
  });
  return (await recordVerifyState(m.id, verify)) ? verify : null;
}
