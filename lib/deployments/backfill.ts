import 'server-only';
import { listAppIdsAfter, countApps } from '@/lib/db/app-pages';
import { getCacheState, recordBackfill } from '@/lib/db/cache-state';
import type { ConfigVersionDoc } from '@/lib/db/collections';
import { readVersions } from '@/lib/db/config-versions';
import { readHeads } from '@/lib/db/heads';
import type { BackfillProgress, MigrationDoc } from '@/lib/model/migration';
import { deploymentPrimaryRedis } from '@/lib/redis/clients';
import { pushManyToPrimary } from '@/lib/propagation/push';

export const BACKFILL_BATCH = 500;

/** One page of heads' committed versions (after the cursor, in appId order), or null at the end. */
export async function readHeadPage(
  cursor: string | null,
  limit: number,
): Promise<{ docs: ConfigVersionDoc[]; appIds: number; cursor: string } | null> {
  const ids = await listAppIdsAfter(cursor, limit);
  const last = ids.at(-1);
  if (last === undefined) return null;
  const heads = await readHeads({ appId: { $in: ids } });
  const docs = await readVersions(heads.map((h) => ({ appId: h.appId, version: h.version })));
  return { docs, appIds: ids.length, cursor: last };
}

/**
 * Copies one page of heads (after the cursor, in appId order) into a deployment's primary in one
 * pipelined round trip of compare-and-set pushes: a save that lands meanwhile is never replaced.
 * Returns the number of apps copied and the new cursor, or null at the end.
 */
export async function copyHeads({
  deployment,
  cursor,
  limit = BACKFILL_BATCH,
}: {
  deployment: string;
  cursor: string | null;
  limit?: number;
}): Promise<{ apps: number; cursor: string } | null> {
  const page = await readHeadPage(cursor, limit);
  if (!page) return null;
  await pushManyToPrimary(
    deploymentPrimaryRedis(deployment),
    page.docs.map((d) => ({
      appId: d.appId,
      version: d.version,
      checksum: d.checksum,
      data: d.data,
      committedAt: d.createdAt,
      // An archived app's head is its tombstone: copied as anything else, services on the
      // target would serve the retired config again.
      archived: d.archived === true,
    })),
  );
  return { apps: page.appIds, cursor: page.cursor };
}

/**
 * The worker's backfill step: continues the migration's backfill from its stored cursor until it
 * is done or `budgetMs` has passed, writing progress after every page. A target that fails keeps
 * the cursor (the next pass resumes there) and shows the error; a crashed worker resumes too.
 */
export async function backfillPass({
  budgetMs = 2_000,
  batch = BACKFILL_BATCH,
  maxPages = Infinity,
}: {
  budgetMs?: number;
  batch?: number;
  maxPages?: number;
} = {}): Promise<BackfillProgress | null> {
  const state = await getCacheState();
  const m: MigrationDoc | null = state.migration;
  if (!m || m.phase === 'planned' || m.backfill.finishedAt) return null;
  let progress: BackfillProgress = m.backfill.startedAt
    ? { ...m.backfill, lastError: null }
    : { ...m.backfill, total: await countApps(), startedAt: new Date(), lastError: null };
  const until = Date.now() + budgetMs;
  for (let pages = 0; Date.now() < until && pages < maxPages; pages += 1) {
    let page: Awaited<ReturnType<typeof copyHeads>>;
    try {
      page = await copyHeads({ deployment: m.target, cursor: progress.cursor, limit: batch });
    } catch (error) {
      progress = {
        ...progress,
        lastError: `${m.target} did not take the copy: ${error instanceof Error ? error.message : String(error)}`,
      };
      await recordBackfill(m.id, progress);
      return progress;
    }
    progress = page
      ? {
          ...progress,
          copied: progress.copied + page.apps,
          total: Math.max(progress.total, progress.copied + page.apps),
          cursor: page.cursor,
        }
      : { ...progress, finishedAt: new Date() };
    if (!(await recordBackfill(m.id, progress))) return null; // cancelled meanwhile
    if (!page) break;
  }
  return progress;
}
