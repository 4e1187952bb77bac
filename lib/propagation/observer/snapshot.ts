import 'server-only';
import {
  buildAppStatus,
  cellState,
  headStamp,
  type AppPropagationStatus,
  type RegionProbe,
} from '@/lib/propagation/app-status';
import { newEntry, type AppEntry } from '@/lib/propagation/observer/app-entry';
import { ChangeFeed } from '@/lib/propagation/observer/change-feed';
import type { Region } from '@/lib/regions';

export interface TimedProbe extends RegionProbe {
  checkedAt: number;
}

const STATUS_CACHE_SIZE = 1_000;

/**
 * The observer's state: every app's entry, the last probe of every region, and which apps are
 * behind. The inputs (region-inputs.ts, head-inputs.ts) change it only through `entryFor` and
 * `changed`, so every change is judged once and heard by its watchers.
 */
export class Snapshot {
  readonly feed = new ChangeFeed();
  readonly apps = new Map<string, AppEntry>();
  /** Apps judged with a region not in sync: re-judged on every scan as elapsed times move. */
  readonly behind = new Set<AppEntry>();
  probes: (TimedProbe | null)[];
  /** Bumped on every region read (elapsed times moved for apps behind). */
  tick = 0;
  /** Bumped when any region's reachability or link changed (every status changes with it). */
  regionsRev = 0;
  /** Apps first seen in a message or a head: their tenant and name are read soon. */
  readonly needListing = new Set<string>();
  /** Every entry, ordered by tenant then name (the fleet's order for apps in sync). */
  private order: AppEntry[] = [];
  private orderDirty = false;
  private readonly statusCache = new Map<string, { key: string; status: AppPropagationStatus }>();

  /** Every region of every live deployment, the active deployment's first. */
  regions: readonly Region[] = [];
  /** Services read from this deployment: arrivals, `converged` and `allInSync` are about it. */
  activeDeployment = '';
  /** Per region, the index of its own deployment's primary (-1: none). */
  private primaryOf: number[] = [];
  /** Bumped by every change of the region set: reads issued before it are dropped. */
  regionSetRev = 0;

  constructor(
    /** Called when an app is seen for the first time: its listing should be fetched. */
    private readonly onNewApp: () => void,
  ) {
    this.probes = [];
  }

  /**
   * Sets the regions watched (a deployment became live or was retired). What is known of a
   * region that stays is kept; a new one is unknown until read.
   */
  setRegions(regions: readonly Region[], activeDeployment: string): void {
    const key = (r: Region) => `${r.deployment}/${r.name}`;
    const before = new Map(this.regions.map((r, i) => [key(r), i]));
    const from = regions.map((r) => before.get(key(r)) ?? -1);
    const pick = <T, D>(list: readonly T[] | null, fallback: D): (T | D)[] =>
      from.map((i) => (i >= 0 && list ? (list[i] as T) : fallback));
    this.probes = pick(this.probes, null);
    this.regions = regions;
    this.activeDeployment = activeDeployment;
    this.primaryOf = regions.map((r) =>
      regions.findIndex((p) => p.role === 'primary' && p.deployment === r.deployment),
    );
    this.regionSetRev += 1;
    this.regionsRev += 1;
    const now = Date.now();
    for (const entry of this.apps.values()) {
      entry.stamps = pick(entry.stamps, undefined);
      entry.touchedAt = entry.touchedAt && pick(entry.touchedAt, 0);
      entry.arrivals = entry.arrivals && pick(entry.arrivals, null);
      this.changed(entry, now);
    }
  }

  /** Whether region `i` is one services read from. */
  isActive(i: number): boolean {
    return this.regions[i]?.deployment === this.activeDeployment;
  }

  entryFor(appId: string, tenantId?: string | null): AppEntry {
    let entry = this.apps.get(appId);
    if (!entry) {
      entry = newEntry(appId, this.regions.length);
      entry.tenantId = tenantId ?? null;
      this.apps.set(appId, entry);
      this.orderDirty = true;
      this.needListing.add(appId);
      this.onNewApp();
    }
    return entry;
  }

  /** The tenant or name of an entry changed: the fleet order must be rebuilt. */
  reordered(): void {
    this.orderDirty = true;
  }

  remove(entry: AppEntry): void {
    this.apps.delete(entry.appId);
    this.behind.delete(entry);
    this.statusCache.delete(entry.appId);
    this.orderDirty = true;
  }

  /** Every entry in fleet order (tenant, name); callers must not keep or change them. */
  entries(): readonly AppEntry[] {
    if (this.orderDirty) {
      this.order = [...this.apps.values()].sort(compareListing);
      this.orderDirty = false;
    }
    return this.order;
  }

  entriesOf(appIds: readonly string[]): AppEntry[] {
    return [...new Set(appIds)].flatMap((id) => this.apps.get(id) ?? []).sort(compareListing);
  }

  /** Something a watcher can see changed: judge the entry again and tell its watchers. */
  changed(entry: AppEntry, now: number): void {
    entry.rev += 1;
    entry.changedAt = now;
    this.judge(entry, now);
    this.feed.changed(entry);
  }

  judge(entry: AppEntry, now: number): void {
    // Each deployment's replicas are judged against what its own primary holds.
    const heads = new Map<number, ReturnType<typeof headStamp>>();
    const headFor = (primary: number) => {
      if (!heads.has(primary)) {
        const reachable = this.probes[primary]?.reachable === true;
        heads.set(
          primary,
          headStamp(entry.head, reachable ? (entry.stamps[primary] ?? null) : null),
        );
      }
      return heads.get(primary) ?? null;
    };
    const before = entry.states;
    entry.states = this.regions.map((region, i) =>
      cellState(
        this.probes[i] ?? unknownProbe(region),
        entry.stamps[i] ?? null,
        headFor(this.primaryOf[i] ?? -1),
        now,
      ),
    );
    if (entry.states.length !== before.length || entry.states.some((s, i) => s !== before[i])) {
      this.feed.moved(entry);
    }
    if (entry.states.every((s) => s === 'in_sync')) this.behind.delete(entry);
    else this.behind.add(entry);
  }

  /**
   * The app's status; the same object for every caller until it changes, and never changed
   * itself (streams encode it once for all their clients).
   */
  statusOf(entry: AppEntry, now = Date.now()): AppPropagationStatus {
    const key = `${entry.rev}:${this.behind.has(entry) ? `t${this.tick}` : `r${this.regionsRev}`}`;
    const cached = this.statusCache.get(entry.appId);
    if (cached?.key === key) return cached.status;
    const status = buildAppStatus(
      entry.appId,
      entry.head,
      this.regions.map((region, i) => ({
        ...(this.probes[i] ?? unknownProbe(region)),
        stamp: entry.stamps[i] ?? null,
      })),
      entry.arrivals && entry.arrivalsVersion === entry.head?.version
        ? entry.arrivals.flatMap((a, i) =>
            a ? [{ ...a, deployment: this.regions[i]?.deployment }] : [],
          )
        : [],
      now,
      this.activeDeployment,
    );
    this.statusCache.delete(entry.appId);
    this.statusCache.set(entry.appId, { key, status });
    if (this.statusCache.size > STATUS_CACHE_SIZE) {
      const oldest = this.statusCache.keys().next().value;
      if (oldest !== undefined) this.statusCache.delete(oldest);
    }
    return status;
  }

  /** Every region services read from reachable and holding `version` or newer. */
  converged(entry: AppEntry, version: number): boolean {
    return this.regions.every(
      (_, i) =>
        !this.isActive(i) ||
        (this.probes[i]?.reachable === true && (entry.stamps[i]?.version ?? 0) >= version),
    );
  }

  cachedStatuses(): number {
    return this.statusCache.size;
  }
}

function unknownProbe(region: Region): RegionProbe {
  return {
    region,
    reachable: false,
    linkUp: null,
    linkDownForMs: null,
    connectedReplicas: null,
    roundTripMs: null,
    error: 'not read yet',
    unreachableSince: null,
  };
}

function compareListing(a: AppEntry, b: AppEntry): number {
  return (
    (a.tenantId ?? '').localeCompare(b.tenantId ?? '') ||
    (a.name ?? a.appId).localeCompare(b.name ?? b.appId)
  );
}
