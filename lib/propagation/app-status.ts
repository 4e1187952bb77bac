import type { Stamp } from '@/lib/contract/cache-layout';
import type { ArrivalDoc } from '@/lib/db/collections';
import type { HeadRecord } from '@/lib/db/heads';
import { env } from '@/lib/env';
import { fingerprint } from '@/lib/fingerprint';
import type { RegionRead } from '@/lib/propagation/read-stamps';
import {
  explainRegionState,
  regionState,
  stateLabels,
  type HeadStamp,
  type RegionStateName,
} from '@/lib/model/region-states';
import type { RegionRole } from '@/lib/regions';

/** What is known of a region apart from its stamps: reachability and its replication link. */
export type RegionProbe = Omit<RegionRead, 'stamps'>;

/** One region's stamp for one app (null: no copy), with what is known of the region. */
export interface RegionCell extends RegionProbe {
  stamp: Stamp | null;
}

/** Times are ms since the epoch throughout: the JSON is for scripts as much as for the dashboard. */
export interface RegionStatus {
  name: string;
  role: RegionRole;
  /** The cache deployment the region belongs to: during a migration, both live ones show. */
  deployment: string;
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
  /** The head is a tombstone: the app was archived, and regions that hold it no longer serve it. */
  archived?: true;
  /** When a push found the same version with another checksum in the primary; else null. */
  divergedAt: number | null;
}

/**
 * The head's place in the outbox: pushed, waiting for the worker's retry, or diverged (the
 * primary holds this version with another checksum; only a forced re-push replaces it).
 */
export type PushState = 'pushed' | 'pending' | 'diverged';

export function pushStateOf(head: Pick<HeadInfo, 'pushedAt' | 'divergedAt'>): PushState {
  if (head.pushedAt !== null) return 'pushed';
  return head.divergedAt !== null ? 'diverged' : 'pending';
}

export interface AppPropagationStatus {
  appId: string;
  head: (HeadInfo & { pushState: PushState }) | null;
  regions: RegionStatus[];
  /** Every region of the active deployment (the one services read from) is in sync. */
  allInSync: boolean;
  lagBudgetMs: number;
  checkedAt: number;
}

export function headInfo(head: HeadRecord | null): HeadInfo | null {
  if (!head) return null;
  return {
    version: head.version,
    checksum: head.checksum,
    committedAt: head.createdAt.getTime(),
    pushedAt: head.pushedAt?.getTime() ?? null,
    ...(head.archived ? { archived: true as const } : {}),
    divergedAt: head.divergedAt?.getTime() ?? null,
  };
}

/**
 * The head as the state table needs it. Replicas can only be behind once the primary has the
 * version, so the primary's own pushedAt (its clock, written by the push script) counts when it
 * holds the head: after a re-push, MongoDB's pushedAt is from the first push long ago.
 */
export function headStamp(head: HeadInfo | null, primaryStamp: Stamp | null): HeadStamp | null {
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

/** A region's state for an app: the state table's input from what is known of both. */
export function cellState(
  read: RegionProbe,
  stamp: Stamp | null,
  head: HeadStamp | null,
  now: number,
): RegionStateName {
  return regionState(stateInput(read, stamp, head, now));
}

function stateInput(read: RegionProbe, stamp: Stamp | null, head: HeadStamp | null, now: number) {
  return {
    role: read.region.role,
    stamp,
    head,
    now,
    lagBudgetMs: env.LAG_BUDGET_MS,
    reachable: read.reachable,
    linkUp: read.linkUp,
    unreachableSince: read.unreachableSince,
  };
}

function judge(
  read: RegionProbe,
  stamp: Stamp | null,
  head: HeadStamp | null,
  now: number,
): Judged {
  const input = stateInput(read, stamp, head, now);
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
 * Pure assembly of an app's status from what is known of its head and of every region. Regions
 * of several cache deployments (during a migration) are each judged against their own primary;
 * `allInSync` is about the active one. An arrival without a deployment is the active one's.
 */
export function buildAppStatus(
  appId: string,
  head: HeadInfo | null,
  cells: readonly RegionCell[],
  arrivals: readonly (Pick<ArrivalDoc, 'region' | 'arrivedAt' | 'latencyMs' | 'method'> & {
    deployment?: string;
  })[],
  now: number,
  activeDeployment = cells[0]?.region.deployment ?? '',
): AppPropagationStatus {
  const heads = new Map<string, HeadStamp | null>();
  for (const cell of cells) {
    if (cell.region.role !== 'primary') continue;
    heads.set(cell.region.deployment, headStamp(head, cell.reachable ? cell.stamp : null));
  }
  const where = (deployment: string, region: string) => `${deployment}/${region}`;
  const byRegion = new Map(
    arrivals.map((a) => [where(a.deployment ?? activeDeployment, a.region), a]),
  );
  const regions = cells.map((read): RegionStatus => {
    const stamp = read.reachable ? read.stamp : null;
    const stampForHead = heads.get(read.region.deployment) ?? headStamp(head, null);
    const { state, explanation } = judge(read, stamp, stampForHead, now);
    const measured = byRegion.get(where(read.region.deployment, read.region.name));
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
      deployment: read.region.deployment,
      stamp: stamp && { ...stamp, checksum: fingerprint(stamp.checksum) },
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
    // Judged on checksums above; shown as keyed fingerprints (lib/fingerprint.ts).
    head: head
      ? { ...head, checksum: fingerprint(head.checksum), pushState: pushStateOf(head) }
      : null,
    regions,
    allInSync: regions.every((r) => r.deployment !== activeDeployment || r.state === 'in_sync'),
    lagBudgetMs: env.LAG_BUDGET_MS,
    checkedAt: now,
  };
}
