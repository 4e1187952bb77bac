import 'server-only';
import { collections } from '@/lib/db/collections';
import { readInstanceReports } from '@/lib/instances/read-reports';
import {
  summarizeInstances,
  versionsNeeded,
  type HeadStamp,
  type RegionInstances,
} from '@/lib/instances/summarize';
import { primaryRedis } from '@/lib/redis/clients';
import { listRegions } from '@/lib/regions';

/** What GET /api/apps/[appId]/instances returns. Times are ms since epoch. */
export interface AppInstancesView {
  appId: string;
  head: { version: number; committedAt: number } | null;
  checkedAt: number;
  /** false when the primary did not answer: the reports cannot be read, not "no instances". */
  reportsAvailable: boolean;
  regions: RegionInstances[];
}

async function readHeadStamp(appId: string): Promise<HeadStamp | null> {
  const c = await collections();
  const head = await c.configVersions.findOne(
    { appId },
    { sort: { version: -1 }, projection: { _id: 0, version: 1, checksum: 1, createdAt: 1 } },
  );
  return head
    ? { version: head.version, checksum: head.checksum, committedAt: head.createdAt.getTime() }
    : null;
}

async function readCommitTimes(appId: string, versions: number[]): Promise<Map<number, number>> {
  if (versions.length === 0) return new Map();
  const c = await collections();
  const docs = await c.configVersions
    .find(
      { appId, version: { $in: versions } },
      { projection: { _id: 0, version: 1, createdAt: 1 } },
    )
    .toArray();
  return new Map(docs.map((d) => [d.version, d.createdAt.getTime()]));
}

/**
 * Per region, which version each service instance of the app holds. The caller has checked the
 * principal and the tenant. Reports are read from the primary, where clients write them.
 */
export async function readAppInstances(appId: string): Promise<AppInstancesView> {
  const [head, reports] = await Promise.all([
    readHeadStamp(appId),
    readInstanceReports(primaryRedis(), appId).catch(() => null),
  ]);
  const committedAt = await readCommitTimes(appId, versionsNeeded(reports ?? [], head));
  const now = Date.now();
  return {
    appId,
    head: head ? { version: head.version, committedAt: head.committedAt } : null,
    checkedAt: now,
    reportsAvailable: reports !== null,
    regions:
      reports === null
        ? []
        : summarizeInstances({
            head,
            reports,
            committedAt,
            regions: listRegions()
              .filter((r) => r.role === 'replica')
              .map((r) => r.name),
            now,
          }),
  };
}
