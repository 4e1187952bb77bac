import 'server-only';
import type { Stamp } from '@/lib/cache-layout';
import type { ArrivalDoc } from '@/lib/db/collections';
import { latestArrivals } from '@/lib/db/arrivals';
import type { AppListing } from '@/lib/db/apps';
import { readHead, readHeads, type HeadRecord } from '@/lib/db/heads';
import { env } from '@/lib/env';
import { readAllRegions, type RegionRead } from '@/lib/propagation/read-stamps';
import {
  explainRegionState,
  isDiverged,
  regionState,
  stateLabels,
  stateSeverity,
  type HeadStamp,
  type RegionStateName,
} from '@/lib/propagation/states';
import { listRegions, type RegionRole } from '@/lib/regions';

/** Times are ms since the epoch throughout: the JSON is for scripts as much as for the dashboard. */
export interface RegionStatus {
  name: string;
  role: RegionRole;
  stamp: Stamp | null;
  state: RegionStateName;
  label: string;
  explanation: string;
  /** When the head reached this region, and how long after the commit; null until measured. */
  arrivedAt: number | null;
  timeToArriveMs: number | null;
  method: ArrivalDoc['method'] | 'stamp' | null;
  unreachableSince: number | null;
  lastError: string | null;
  roundTripMs: number | null;
}

export interface HeadInfo {
  version: number;
  checksum: string;
  committedAt: number;
  /** When MongoDB recorded the push to the primary; null while the push is pending. */
  pushedAt: number | null;
}

export interface AppPropagationStatus {
  appId: string;
  head: HeadInfo | null;
  regions: RegionStatus[];
  allInSync: boolean;
  lagBudgetMs: number;
  checkedAt: number;
}

function headInfo(head: HeadRecord | null): HeadInfo | null {
  if (!head) return null;
  return {
    version: head.version,
    checksum: head.checksum,
    committedAt: head.createdAt.getTime(),
    pushedAt: head.pushedAt?.getTime() ?? null,
  };
}

/**
 * The head as the state table needs it. Replicas can only be behind once the primary has the
 * version, so the primary's own pushedAt (its clock, written by the push script) counts when it
 * holds the head: after a re-push, MongoDB's pushedAt is from the first push long ago.
 */
function headStamp(head: HeadInfo | null, primaryStamp: Stamp | null): HeadStamp | null {
  if (!head) return null;
  const primaryHas =
    primaryStamp?.version === head.version && primaryStamp.checksum === head.checksum;
  return {
    version: head.version,
    checksum: head.checksum,
    committedAt: head.committedAt,
    pushedAt: primaryHas ? (primaryStamp.pushedAt ?? head.pushedAt) : head.pushedAt,
  };
}

interface Judged {
  state: RegionStateName;
  explanation: string;
}

function judge(read: RegionRead, stamp: Stamp | null, head: HeadStamp | null, now: number): Judged {
  const input = {
    role: read.region.role,
    stamp,
    head,
    now,
    lagBudgetMs: env.LAG_BUDGET_MS,
    reachable: read.reachable,
    linkUp: read.linkUp,
    unreachableSince: read.unreachableSince,
  };
  const state = regionState(input);
  return {
    state,
    explanation: explainRegionState(state, {
      ...input,
      region: read.region.name,
      linkDownForMs: read.linkDownForMs,
      timeoutMs: env.REGION_TIMEOUT_MS,
    }),
  };
}

/**
 * A save between reading MongoDB and reading the regions would make a region look newer than
 * the head, i.e. "diverged". Before saying so, read the head again: it is rare and cheap.
 */
async function freshHeadIfOutrun(
  appId: string,
  head: HeadRecord | null,
  reads: RegionRead[],
): Promise<HeadRecord | null> {
  const stamp = head && headStamp(headInfo(head), null);
  const outrun = reads.some((r) => r.reachable && isDiverged(r.stamps[0] ?? null, stamp));
  return outrun ? readHead(appId) : head;
}

/** One app, every region: stamps, states, and the measured arrival of the head. */
export async function appPropagationStatus(app: { _id: string }): Promise<AppPropagationStatus> {
  const appId = app._id;
  // Three reads in parallel: the head, the newest arrivals, every region's stamp.
  const [initialHead, latest, stamps] = await Promise.all([
    readHead(appId),
    latestArrivals(appId, listRegions().length),
    readAllRegions([appId]),
  ]);
  const head = headInfo(await freshHeadIfOutrun(appId, initialHead, stamps.regions));
  const arrivals = latest.filter((a) => a.version === head?.version);
  return buildAppStatus(appId, head, stamps.regions, arrivals, Date.now());
}

/** Pure assembly of an app's status from what was read; exported for the worker and tests. */
export function buildAppStatus(
  appId: string,
  head: HeadInfo | null,
  reads: RegionRead[],
  arrivals: readonly Pick<ArrivalDoc, 'region' | 'arrivedAt' | 'latencyMs' | 'method'>[],
  now: number,
): AppPropagationStatus {
  const primaryRead = reads.find((r) => r.region.role === 'primary');
  const stampForHead = headStamp(head, primaryRead?.stamps[0] ?? null);
  const byRegion = new Map(arrivals.map((a) => [a.region, a]));
  const regions = reads.map((read): RegionStatus => {
    const stamp = read.reachable ? (read.stamps[0] ?? null) : null;
    const { state, explanation } = judge(read, stamp, stampForHead, now);
    const measured = byRegion.get(read.region.name);
    // The primary's stamp carries its exact arrival time (pushedAt, primary clock): better than no
    // measurement, and better than a poll, which is only an upper bound.
    const arrival =
      read.region.role === 'primary' && measured?.method === 'poll' ? undefined : measured;
    const stampArrival =
      !arrival &&
      read.region.role === 'primary' &&
      state === 'in_sync' &&
      stamp?.pushedAt != null &&
      head
        ? {
            arrivedAt: stamp.pushedAt,
            timeToArriveMs: Math.max(0, stamp.pushedAt - head.committedAt),
          }
        : null;
    return {
      name: read.region.name,
      role: read.region.role,
      stamp,
      state,
      label: stateLabels[state],
      explanation,
      arrivedAt: arrival?.arrivedAt.getTime() ?? stampArrival?.arrivedAt ?? null,
      timeToArriveMs: arrival?.latencyMs ?? stampArrival?.timeToArriveMs ?? null,
      method: arrival?.method ?? (stampArrival ? 'stamp' : null),
      unreachableSince: read.unreachableSince,
      lastError: read.error,
      roundTripMs: read.roundTripMs,
    };
  });
  return {
    appId,
    head,
    regions,
    allInSync: regions.every((r) => r.state === 'in_sync'),
    lagBudgetMs: env.LAG_BUDGET_MS,
    checkedAt: now,
  };
}

export interface FleetRegionCell {
  name: string;
  state: RegionStateName;
  version: number | null;
}

export interface FleetApp {
  appId: string;
  tenantId: string;
  name: string;
  headVersion: number | null;
  committedAt: number | null;
  regions: FleetRegionCell[];
  /** Regions not in sync. */
  behind: number;
  worst: RegionStateName;
}

export interface FleetStatus {
  apps: FleetApp[];
  regions: {
    name: string;
    role: RegionRole;
    reachable: boolean;
    unreachableSince: number | null;
    lastError: string | null;
  }[];
  checkedAt: number;
  lagBudgetMs: number;
}

/**
 * Every listed app in every region, with one pipelined round trip per region however many apps
 * there are; apps with a region not in sync first (worst state first), then by tenant and name.
 */
export async function fleetStatus(apps: readonly AppListing[]): Promise<FleetStatus> {
  const appIds = apps.map((a) => a.appId);
  const [heads, stamps] = await Promise.all([
    appIds.length ? readHeads({ appId: { $in: appIds } }) : Promise.resolve([]),
    readAllRegions(appIds),
  ]);
  const headByApp = new Map(heads.map((h) => [h.appId, h]));
  const now = Date.now();
  const primaryRead = stamps.regions.find((r) => r.region.role === 'primary');
  const summaries = apps.map((app, i): FleetApp => {
    const head = headInfo(headByApp.get(app.appId) ?? null);
    const stampForHead = headStamp(
      head,
      primaryRead?.reachable ? (primaryRead.stamps[i] ?? null) : null,
    );
    const regions = stamps.regions.map((read): FleetRegionCell => {
      const stamp = read.reachable ? (read.stamps[i] ?? null) : null;
      const state = regionState({
        role: read.region.role,
        stamp,
        head: stampForHead,
        now,
        lagBudgetMs: env.LAG_BUDGET_MS,
        reachable: read.reachable,
        linkUp: read.linkUp,
        unreachableSince: read.unreachableSince,
      });
      return { name: read.region.name, state, version: stamp?.version ?? null };
    });
    const worst = regions.reduce<RegionStateName>(
      (w, r) => (stateSeverity[r.state] > stateSeverity[w] ? r.state : w),
      'in_sync',
    );
    return {
      appId: app.appId,
      tenantId: app.tenantId,
      name: app.name,
      headVersion: head?.version ?? null,
      committedAt: head?.committedAt ?? null,
      regions,
      behind: regions.filter((r) => r.state !== 'in_sync').length,
      worst,
    };
  });
  summaries.sort(
    (a, b) =>
      stateSeverity[b.worst] - stateSeverity[a.worst] ||
      b.behind - a.behind ||
      a.tenantId.localeCompare(b.tenantId) ||
      a.name.localeCompare(b.name),
  );
  return {
    apps: summaries,
    regions: stamps.regions.map((r) => ({
      name: r.region.name,
      role: r.region.role,
      reachable: r.reachable,
      unreachableSince: r.unreachableSince,
      lastError: r.error,
    })),
    checkedAt: now,
    lagBudgetMs: env.LAG_BUDGET_MS,
  };
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

export interface ConvergenceResult {
  status: AppPropagationStatus;
  /** Every region holds `version` or newer. */
  converged: boolean;
  waitedMs: number;
}

/**
 * Long poll for deploy pipelines: returns as soon as every region holds `version` or newer, or
 * when `waitMs` runs out, or when the caller goes away. Re-reads only the stamps (one pipelined
 * round trip per region) every `intervalMs`; MongoDB is read once, at the end.
 */
export async function waitForConvergence(
  app: { _id: string },
  version: number,
  waitMs: number,
  opts: { signal?: AbortSignal; intervalMs?: number } = {},
): Promise<ConvergenceResult> {
  const started = Date.now();
  const deadline = started + waitMs;
  const intervalMs = opts.intervalMs ?? 50;
  let converged = false;
  for (;;) {
    const { regions } = await readAllRegions([app._id]);
    converged = regions.every((r) => r.reachable && (r.stamps[0]?.version ?? 0) >= version);
    const left = deadline - Date.now();
    if (converged || opts.signal?.aborted || left <= 0) break;
    await sleep(Math.min(intervalMs, left), opts.signal);
  }
  return { status: await appPropagationStatus(app), converged, waitedMs: Date.now() - started };
}
