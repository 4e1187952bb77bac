import type { HeadInfo } from '@/lib/propagation/app-status';
import { behindSince, stateSeverity, type RegionStateName } from '@/lib/model/region-states';
import type { RegionRole } from '@/lib/regions';

/**
 * The fleet: every app in a scope, in every region, from the observer's snapshot. Pure, so the
 * paging, ordering and filtering are unit-tested, and fast: one pass over the apps, objects
 * built only for the page that is sent (100 000 apps must answer well inside 100 ms).
 */

export interface FleetRegionCell {
  name: string;
  deployment: string;
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

export interface FleetRegion {
  name: string;
  role: RegionRole;
  /** Its cache deployment: during a migration the regions of both live ones are listed. */
  deployment: string;
  reachable: boolean;
  unreachableSince: number | null;
  lastError: string | null;
}

export interface FleetFilter {
  tenant?: string;
  /** Only these apps (the caller passes their sources alone; the tenant still applies). */
  apps?: readonly string[];
  state?: RegionStateName;
  region?: string;
  /** Only this deployment's regions: what is shown, counted, filtered and ordered by. */
  deployment?: string;
  limit: number;
  offset?: number;
}

export interface FleetPage {
  /** The page: apps with a region not in sync first (worst first), then by tenant and name. */
  apps: FleetApp[];
  regions: FleetRegion[];
  checkedAt: number;
  lagBudgetMs: number;
  /** Apps in the scope, before filtering. */
  total: number;
  /** Of those, apps with at least one region not in sync. */
  notInSync: number;
  /** Of those, how long the one behind longest has waited for its head (ms); null if none. */
  oldestBehindMs: number | null;
  /** Apps that match the filter; `apps` is the page [offset, offset + limit) of them. */
  matching: number;
  offset: number;
  limit: number;
}

/** What the fleet needs of an app: the observer's entries have this shape. */
export interface FleetSource {
  appId: string;
  tenantId: string | null;
  name: string | null;
  head: HeadInfo | null;
  stamps: readonly ({ version: number } | null | undefined)[];
  /** Judged per region, in the order of `regions`. */
  states: readonly RegionStateName[];
}

const waitingStates = new Set<RegionStateName>(['not_pushed', 'propagating', 'lagging']);

function worstOf(states: readonly RegionStateName[]): RegionStateName {
  let worst: RegionStateName = 'in_sync';
  for (const s of states) if (stateSeverity[s] > stateSeverity[worst]) worst = s;
  return worst;
}

function row(
  source: FleetSource,
  regions: readonly FleetRegion[],
  shown: readonly number[],
): FleetApp {
  const cells = shown.map((i) => {
    const region = regions[i];
    return {
      name: region?.name ?? '',
      deployment: region?.deployment ?? '',
      state: source.states[i] ?? 'unreachable',
      version: region?.reachable ? (source.stamps[i]?.version ?? null) : null,
    };
  });
  return {
    appId: source.appId,
    tenantId: source.tenantId ?? '',
    name: source.name ?? source.appId,
    headVersion: source.head?.version ?? null,
    committedAt: source.head?.committedAt ?? null,
    regions: cells,
    behind: cells.filter((c) => c.state !== 'in_sync').length,
    worst: worstOf(cells.map((c) => c.state)),
  };
}

/**
 * An app's row as the fleet stream sends it when the app changed: its cells in every region the
 * observer watches (a page keeps those it shows). `moved`: its region states or listing changed,
 * so its place in the fleet's order may have too; otherwise only the row's content changed.
 */
export interface FleetRowChange extends Omit<FleetApp, 'behind' | 'worst'> {
  moved: boolean;
}

/**
 * The fleet stream's `fleet` event. `seq` counts this connection's events from 0, sent on
 * connect: a 0, or any number but the next, means events may have been missed (a reconnect), and
 * so does `overflow` (more apps changed than an event carries): read the page again.
 */
export type FleetStreamEvent =
  { seq: number; rows: FleetRowChange[] } | { seq: number; overflow: true };

export function fleetRowChange(
  source: FleetSource,
  regions: readonly FleetRegion[],
  moved: boolean,
): FleetRowChange {
  const {
    behind: _behind,
    worst: _worst,
    ...rest
  } = row(
    source,
    regions,
    regions.map((_, i) => i),
  );
  return { ...rest, moved };
}

/**
 * The page with the stream's changed rows applied to the apps it shows (their cells for the
 * regions it shows); rows for apps it does not show are ignored. The same page object when none
 * applied. Only contents: a row that moved may belong elsewhere, which a new read of the page says.
 */
export function applyFleetRowChanges(
  page: FleetPage,
  changes: readonly FleetRowChange[],
): FleetPage {
  const byApp = new Map(changes.map((c) => [c.appId, c]));
  let applied = false;
  const apps = page.apps.map((app): FleetApp => {
    const change = byApp.get(app.appId);
    if (!change) return app;
    applied = true;
    const cells = page.regions.map(
      (r): FleetRegionCell =>
        change.regions.find((c) => c.name === r.name && c.deployment === r.deployment) ?? {
          name: r.name,
          deployment: r.deployment,
          state: 'unreachable',
          version: null,
        },
    );
    const { moved: _moved, ...content } = change;
    return {
      ...content,
      regions: cells,
      behind: cells.filter((c) => c.state !== 'in_sync').length,
      worst: worstOf(cells.map((c) => c.state)),
    };
  });
  return applied ? { ...page, apps } : page;
}

/**
 * `sources` come ordered by tenant and name. A region filter narrows what counts: the state
 * filter and the ordering then look at that region only. The state filter keeps apps with at
 * least one counted region in that state.
 */
export function fleetPage(
  sources: readonly FleetSource[],
  regions: readonly FleetRegion[],
  filter: FleetFilter,
  { now, lagBudgetMs }: { now: number; lagBudgetMs: number },
): FleetPage {
  // The regions shown and summarised (a deployment filter keeps its own), and among them those
  // a region filter counts for the state filter and the ordering.
  const shown = regions.flatMap((r, i) =>
    !filter.deployment || r.deployment === filter.deployment ? [i] : [],
  );
  const countedIndexes = filter.region
    ? shown.filter((i) => regions[i]?.name === filter.region)
    : shown;
  let total = 0;
  let notInSync = 0;
  let oldestBehindMs: number | null = null;
  const behindMatches: { source: FleetSource; counted: number; worst: number; behind: number }[] =
    [];
  const inSyncMatches: FleetSource[] = [];
  for (const source of sources) {
    if (filter.tenant && source.tenantId !== filter.tenant) continue;
    total += 1;
    let behind = 0;
    let worst = 0;
    let waiting = false;
    for (const i of shown) {
      const state = source.states[i];
      if (state === undefined || state === 'in_sync') continue;
      behind += 1;
      worst = Math.max(worst, stateSeverity[state]);
      if (waitingStates.has(state)) waiting = true;
    }
    if (behind > 0) notInSync += 1;
    if (waiting && source.head) {
      const waited = now - behindSince(source.head);
      oldestBehindMs = Math.max(oldestBehindMs ?? 0, waited);
    }
    const counted = countedIndexes.flatMap((i) => source.states[i] ?? []);
    if (filter.state && !counted.includes(filter.state)) continue;
    let countedWorst = 0;
    for (const state of counted) countedWorst = Math.max(countedWorst, stateSeverity[state]);
    if (countedWorst > 0 || behind > 0) {
      behindMatches.push({ source, counted: countedWorst, worst, behind });
    } else {
      inSyncMatches.push(source);
    }
  }
  // Stable: equal keys keep the tenant and name order of `sources`.
  behindMatches.sort((a, b) => b.counted - a.counted || b.worst - a.worst || b.behind - a.behind);
  const offset = filter.offset ?? 0;
  const end = offset + filter.limit;
  const page = [
    ...behindMatches.slice(offset, end).map((m) => m.source),
    ...inSyncMatches.slice(
      Math.max(0, offset - behindMatches.length),
      Math.max(0, end - behindMatches.length),
    ),
  ];
  return {
    apps: page.map((source) => row(source, regions, shown)),
    regions: shown.flatMap((i) => regions[i] ?? []),
    checkedAt: now,
    lagBudgetMs,
    total,
    notInSync,
    oldestBehindMs,
    matching: behindMatches.length + inSyncMatches.length,
    offset,
    limit: filter.limit,
  };
}
