import 'server-only';
import { readCommitTimes } from '@/lib/db/config-versions';
import { readHead } from '@/lib/db/heads';
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
  /** `archived`: the head is a tombstone, so servers on it report the app as gone. */
  head: { version: number; committedAt: number; archived: boolean } | null;
  checkedAt: number;
  /** false when the primary did not answer: the reports cannot be read, not "no instances". */
  reportsAvailable: boolean;
  regions: RegionInstances[];
}

async function readHeadStamp(appId: string): Promise<(HeadStamp & { archived: boolean }) | null> {
  const head = await readHead(appId, { data: false });
  return head
    ? {
        version: head.version,
        checksum: head.checksum,
        committedAt: head.createdAt.getTime(),
        archived: head.archived === true,
      }
    : null;
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
    head: head
      ? { version: head.version, committedAt: head.committedAt, archived: head.archived }
      : null,
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
